import { afterAll, beforeAll } from '@jest/globals';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoDBStore, type DynamoDBStore } from '../../lib/idempotency/index.js';
import { createIdempotencyTable, createTestClient } from './dynamodb.js';

/** A client, a fresh idempotency table and a store over it, ready once the file's `beforeAll` hooks have run. */
export interface StoreFixture {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly store: DynamoDBStore;
}

/** Registers the `beforeAll`/`afterAll` hooks that give this test file its own idempotency table, and returns the fixture they fill. */
export function useStoreFixture(): StoreFixture {
  const fixture = {} as { client: DynamoDBClient; tableName: string; store: DynamoDBStore };
  beforeAll(async () => {
    fixture.client = createTestClient();
    fixture.tableName = await createIdempotencyTable(fixture.client);
    fixture.store = createDynamoDBStore({ tableName: fixture.tableName, client: fixture.client });
  });
  afterAll(() => fixture.client.destroy());
  return fixture;
}
