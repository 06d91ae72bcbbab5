import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { createDynamoDBStore, type IdempotencyStore } from '../../lib/idempotency/index.js';
import { createRedisStore } from '../../lib/idempotency/redis.js';
import { sendCommand } from '../../lib/idempotency/store/redis-client.js';
import { createLayoutTable, createTestClient, layoutKey, tableLayouts, type TableLayout } from './dynamodb.js';
import { redisClientKinds, redisUrl } from './redis.js';

/** The result size options every store takes. */
export interface StoreLimits {
  readonly compressAboveBytes?: number;
  readonly maxStoredResultBytes?: number;
}

/** One store backend, opened once per test file: stores over it, and a look at what it keeps. */
export interface StoreBackend {
  /** A store over this backend with `limits`. */
  open(limits?: StoreLimits): IdempotencyStore;
  /** When the backend deletes record `id` by itself (DynamoDB TTL, Redis EXPIREAT), in epoch seconds; undefined without a record. */
  expiresAtEpochSeconds(id: string): Promise<number | undefined>;
  close(): Promise<void>;
}

/** Every store the conformance suite runs against: DynamoDB, and Redis through each supported client. */
export const storeKinds: Array<[string, () => Promise<StoreBackend>]> = [
  ...tableLayouts.map(([name, layout]): [string, () => Promise<StoreBackend>] => [`DynamoDB (${name})`, () => openDynamoDB(layout)]),
  ...redisClientKinds.map(([name, connect]): [string, () => Promise<StoreBackend>] => [`Redis via ${name}`, () => openRedis(connect)]),
];

async function openDynamoDB(layout: TableLayout): Promise<StoreBackend> {
  const client = createTestClient();
  const tableName = await createLayoutTable(client, layout);
  return {
    open: (limits) => createDynamoDBStore({ tableName, client, ...layout, ...limits }),
    expiresAtEpochSeconds: async (id) => {
      const item = await client.send(new GetItemCommand({ TableName: tableName, Key: layoutKey(id, layout), ConsistentRead: true }));
      return item.Item === undefined ? undefined : Number(item.Item.expiration?.N);
    },
    close: async () => client.destroy(),
  };
}

async function openRedis(connect: (typeof redisClientKinds)[number][1]): Promise<StoreBackend> {
  const { client, close } = await connect(redisUrl());
  // A prefix per backend, so that the files and clients sharing the one server never meet.
  const keyPrefix = `test-${randomUUID()}:`;
  return {
    open: (limits) => createRedisStore({ client, keyPrefix, ...limits }),
    expiresAtEpochSeconds: async (id) => {
      const seconds = Number(await sendCommand(client, ['EXPIRETIME', `${keyPrefix}${id}`]));
      // -2: no such key; -1 would be a key without expiry, which the store never writes.
      return seconds === -2 ? undefined : seconds;
    },
    close,
  };
}
