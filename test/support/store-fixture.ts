import { afterAll, beforeAll } from '@jest/globals';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoDBStore, type DynamoDBStore } from '../../lib/idempotency/index.js';
import { createLayoutTable, createTestClient, layoutKey, tableLayouts, type TableLayout } from './dynamodb.js';

/** A client, a fresh idempotency table and a store over it, ready once the file's `beforeAll` hooks have run. */
export interface StoreFixture {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly store: DynamoDBStore;
  /** The key of record `id` in this table, for reading or changing its item directly. */
  keyOf(id: string): ReturnType<typeof layoutKey>;
}

/**
 * Registers the `beforeAll`/`afterAll` hooks that give this test file (or describe block) its own idempotency table in
 * `layout`, and returns the fixture they fill.
 */
export function useStoreFixture(layout: TableLayout = tableLayouts[0]![1]): StoreFixture {
  const fixture = { keyOf: (id: string) => layoutKey(id, layout) } as StoreFixture & { client: DynamoDBClient; tableName: string; store: DynamoDBStore };
  beforeAll(async () => {
    fixture.client = createTestClient();
    fixture.tableName = await createLayoutTable(fixture.client, layout);
    fixture.store = createDynamoDBStore({ tableName: fixture.tableName, client: fixture.client, ...layout });
  });
  afterAll(() => fixture.client.destroy());
  return fixture;
}
