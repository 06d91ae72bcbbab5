import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { completeWithTransaction, createDynamoDBStore, type DynamoDBStore } from '../../lib/idempotency/index.js';
import { adapters } from '../support/adapters.js';
import { createLayoutTable, createOrdersTable, createTestClient, layoutKey, tableLayouts, type TableLayout } from '../support/dynamodb.js';
import { createLambdaContext } from '../support/lambda-context.js';

const handlerRunMs = 120_000;
let client: DynamoDBClient;
let tableName: string;
let ordersTable: string;
let store: DynamoDBStore;
let layout: TableLayout;
const fresh = () => `retention-${Math.random().toString(36).slice(2)}`;

beforeAll(async () => {
  client = createTestClient();
  ordersTable = await createOrdersTable(client);
});
afterAll(() => client.destroy());

const storedExpiry = async (id: string) =>
  Number((await client.send(new GetItemCommand({ TableName: tableName, Key: layoutKey(id, layout), ConsistentRead: true }))).Item?.expiration?.N);

// Each table layout in turn: the module-level table, store and layout belong to the describe block that runs.
describe.each(tableLayouts)('on a table keyed by a %s', (_name, tableLayout) => {
  beforeAll(async () => {
    layout = tableLayout;
    tableName = await createLayoutTable(client, layout);
    store = createDynamoDBStore({ tableName, client, ...layout });
  });

  // The handler takes two minutes on the injected clock; a duplicate then comes at the retention's last second after
  // completion, and at its end. A retention shorter than the run (60 s) counts from completion too.
  describe.each([
    ['plain completion', false, 300],
    ['plain completion', false, 60],
    ['completeWithTransaction', true, 300],
    ['completeWithTransaction', true, 60],
  ])('retention after a %s, expiresAfterSeconds %d', (_name, transactional, retentionSeconds) => {
    it.each(adapters)('replays for expiresAfterSeconds after the result was stored, through the %s', async (_adapter, wrap) => {
      // Arrange
      let nowMs = Date.UTC(2030, 0, 1);
      let runs = 0;
      let recordId = '';
      const handler = wrap(
        async (event: { key: string }, context?: Context) => {
          runs += 1;
          nowMs += handlerRunMs;
          const result = { key: event.key, run: runs };
          if (transactional && context !== undefined) {
            await completeWithTransaction(context, { writes: [{ Put: { TableName: ordersTable, Item: { orderId: { S: `${event.key}#${runs}` } } } }], result });
          }
          return result;
        },
        {
          store,
          key: (event) => event.key,
          expiresAfterSeconds: retentionSeconds,
          now: () => nowMs,
          onOutcome: (outcome) => (recordId = outcome.recordId ?? recordId),
        },
      );
      const key = fresh();

      // Act
      const first = await handler({ key }, createLambdaContext());
      const completedAtMs = nowMs;
      nowMs = completedAtMs + (retentionSeconds - 1) * 1000;
      const withinRetention = await handler({ key }, createLambdaContext());
      nowMs = completedAtMs + retentionSeconds * 1000;
      const afterRetention = await handler({ key }, createLambdaContext());

      // Assert
      expect(withinRetention).toEqual(first);
      expect(afterRetention).toEqual({ key, run: 2 });
      expect(await storedExpiry(recordId)).toBe(Math.ceil(nowMs / 1000) + retentionSeconds);
    });
  });
});
