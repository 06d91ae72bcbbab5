import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetItemCommand, ScanCommand, type DynamoDBClient, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { restEvent } from '../support/api-gateway-events.js';
import {
  completeWithTransaction,
  createDynamoDBStore,
  httpIdempotency,
  idempotency,
  IdempotencyLeaseLostError,
  IdempotencyTransactionCanceledError,
  type DynamoDBStore,
} from '../../lib/idempotency/index.js';
import { adapters } from '../support/adapters.js';
import { countCalls, type CallCounter } from '../support/call-counter.js';
import { createLayoutTable, createOrdersTable, createTestClient, tableLayouts } from '../support/dynamodb.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { createGates, staleLeaseMs, takeOverExpiredLease } from '../support/lease-takeover.js';

let client: DynamoDBClient;
let store: DynamoDBStore;
let ordersTable: string;
let counter: CallCounter;
const fresh = () => Math.random().toString(36).slice(2);

beforeAll(async () => {
  client = createTestClient();
  counter = countCalls(client);
  ordersTable = await createOrdersTable(client);
});
afterAll(() => client.destroy());

const putOrder = (orderId: string, note: string): TransactWriteItem => ({
  Put: { TableName: ordersTable, Item: { orderId: { S: orderId }, note: { S: note } }, ConditionExpression: 'attribute_not_exists(orderId)' },
});
const readOrder = async (orderId: string) =>
  (await client.send(new GetItemCommand({ TableName: ordersTable, Key: { orderId: { S: orderId } }, ConsistentRead: true }))).Item;

// Each table layout in turn: the module-level store belongs to the describe block that runs.
describe.each(tableLayouts)('on a table keyed by a %s', (_name, layout) => {
  beforeAll(async () => {
    store = createDynamoDBStore({ tableName: await createLayoutTable(client, layout), client, ...layout });
  });

  describe.each(adapters)('completeWithTransaction through the %s', (_name, wrap) => {
    it('commits the order and the completion together in two round trips, and replays without a second write', async () => {
      // Arrange
      let runs = 0;
      const handler = wrap(
        async (event: { orderId: string }, context?: Context) => {
          runs += 1;
          const result = { orderId: event.orderId, status: 'PLACED' };
          await completeWithTransaction(context!, { writes: [putOrder(event.orderId, 'first')], result });
          return result;
        },
        { store, key: (event) => event.orderId },
      );
      const event = { orderId: fresh() };
      counter.reset();

      // Act
      const first = await handler(event, createLambdaContext());
      const callsForFirst = { ...counter.calls };
      const replay = await handler(event, createLambdaContext());

      // Assert
      expect(first).toEqual({ orderId: event.orderId, status: 'PLACED' });
      expect(replay).toEqual(first);
      expect(runs).toBe(1);
      expect(callsForFirst).toEqual({ PutItemCommand: 1, TransactWriteItemsCommand: 1 });
      expect((await readOrder(event.orderId))?.note?.S).toBe('first');
    });

    it("reports the caller's own failed condition per item, writes nothing, and lets a retry run", async () => {
      // Arrange
      const orderId = fresh();
      await completeWithTransactionOutsideIdempotency(orderId);
      let attempts = 0;
      const handler = wrap(
        async (event: { orderId: string; key: string }, context?: Context) => {
          attempts += 1;
          const writes =
            attempts === 1 ? [putOrder(`${event.orderId}-other`, 'x'), putOrder(event.orderId, 'again')] : [putOrder(`${event.orderId}-retry`, 'y')];
          await completeWithTransaction(context!, { writes, result: attempts });
          return attempts;
        },
        { store, key: (event) => event.key },
      );
      const event = { orderId, key: fresh() };

      // Act
      const error = await handler(event, createLambdaContext()).catch((thrown: unknown) => thrown);
      const retried = await handler(event, createLambdaContext());

      // Assert
      expect(error).toBeInstanceOf(IdempotencyTransactionCanceledError);
      expect((error as IdempotencyTransactionCanceledError).reasons).toEqual([{ index: 1, code: 'ConditionalCheckFailed', message: expect.any(String) }]);
      expect(await readOrder(`${orderId}-other`)).toBeUndefined();
      expect(retried).toBe(2);
      expect(await readOrder(`${orderId}-retry`)).toBeDefined();
    });

    it('refuses more than 99 writes before sending anything', async () => {
      // Arrange
      const handler = wrap(
        async (_event: { key: string }, context?: Context) => {
          await completeWithTransaction(context!, { writes: Array.from({ length: 100 }, (_, index) => putOrder(`bulk-${index}`, 'x')), result: 1 });
          return 1;
        },
        { store, key: (event) => event.key },
      );

      // Act
      const error = await handler({ key: fresh() }, createLambdaContext()).catch((thrown: unknown) => thrown);

      // Assert
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toContain('at most 99 items, got 100');
    });
  });

  describe('completeWithTransaction and the lease', () => {
    it('rejects the commit of an invocation whose lease was taken over, writing none of its items', async () => {
      // Arrange
      let nowMs = Date.now();
      const gates = createGates();
      const outcomes: string[] = [];
      const handler = middy(async (event: { key: string }, context: Context) => {
        const attempt = gates.arrived() + 1;
        await gates.wait();
        await completeWithTransaction(context, { writes: [putOrder(`${event.key}-attempt-${attempt}`, 'x')], result: attempt });
        return attempt;
      }).use(idempotency({ store, key: (event: { key: string }) => event.key, now: () => nowMs, onOutcome: (o) => outcomes.push(o.type) }));
      const event = { key: fresh() };

      // Act
      const { stale, takeover } = await takeOverExpiredLease(
        (context) => handler(event, context),
        gates,
        () => (nowMs += staleLeaseMs + 1),
      );

      // Assert
      expect(takeover).toBe(2);
      expect(stale).toBeInstanceOf(IdempotencyLeaseLostError);
      expect(await readOrder(`${event.key}-attempt-1`)).toBeUndefined();
      expect(await readOrder(`${event.key}-attempt-2`)).toBeDefined();
      expect(outcomes).toEqual(['claimed', 'claimed', 'completed', 'lease-lost', 'lease-lost']);
    });

    it('answers a lease lost in an HTTP handler with 409 problem+json and Retry-After, not a 500', async () => {
      // Arrange
      let nowMs = Date.now();
      const gates = createGates();
      const handler = middy(async (_event: APIGatewayProxyEvent, context: Context) => {
        await gates.wait();
        const response = { statusCode: 201, body: '{"placed":true}' };
        await completeWithTransaction(context, { writes: [], result: response });
        return response;
      }).use(httpIdempotency({ store, now: () => nowMs }));
      const event = restEvent({ method: 'POST', headers: { 'Idempotency-Key': fresh() }, body: '{}' });

      // Act
      const { stale } = await takeOverExpiredLease(
        (context) => handler(event, context),
        gates,
        () => (nowMs += staleLeaseMs + 1),
      );
      const staleResponse = stale as { statusCode: number; headers: Record<string, string>; body: string };

      // Assert
      expect(staleResponse.statusCode).toBe(409);
      expect(staleResponse.headers['Content-Type']).toBe('application/problem+json');
      expect(staleResponse.headers['Retry-After']).toBe('1');
      expect(JSON.parse(staleResponse.body).type).toBe('urn:lambda-idempotency:lease-lost');
    });

    it('commits only the writes when idempotency was skipped for the invocation', async () => {
      // Arrange
      const orderId = fresh();
      const handler = middy(async (_event: { key?: string }, context: Context) => {
        await completeWithTransaction(context, { writes: [putOrder(orderId, 'unkeyed')], result: 'ok' });
        return 'ok';
      }).use(idempotency({ store, key: (event: { key?: string }) => event.key, onMissingKey: 'skip' }));

      // Act
      await handler({}, createLambdaContext());

      // Assert
      expect((await readOrder(orderId))?.note?.S).toBe('unkeyed');
    });

    it('throws a TypeError when no claim is bound to the object', async () => {
      await expect(completeWithTransaction(createLambdaContext(), { writes: [], result: 1 })).rejects.toThrow(TypeError);
    });

    it('never leaves a completion without its order, nor an order without its completion', async () => {
      // Arrange
      const scan = async () => (await client.send(new ScanCommand({ TableName: ordersTable, ConsistentRead: true }))).Items ?? [];
      const before = (await scan()).length;
      const key = fresh();
      const handler = middy(async (_event: { key: string }, context: Context) => {
        await completeWithTransaction(context, { writes: [putOrder(`${key}-order`, 'x')], result: 'placed' });
        return 'placed';
      }).use(idempotency({ store, key: (event: { key: string }) => event.key }));

      // Act
      const answers = await Promise.all(Array.from({ length: 10 }, () => handler({ key }, createLambdaContext()).catch(() => 'refused')));

      // Assert
      expect(answers.filter((answer) => answer === 'placed').length).toBeGreaterThanOrEqual(1);
      expect((await scan()).length - before).toBe(1);
    });
  });

  async function completeWithTransactionOutsideIdempotency(orderId: string): Promise<void> {
    const handler = middy(async (_event: object, context: Context) => {
      await completeWithTransaction(context, { writes: [putOrder(orderId, 'existing')], result: null });
      return null;
    }).use(idempotency({ store, key: () => fresh() }));
    await handler({}, createLambdaContext());
  }
});
