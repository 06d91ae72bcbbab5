import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetItemCommand, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { Context, SQSRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import {
  completeWithTransaction,
  createSqsBatchHandler,
  httpIdempotency,
  IdempotencyLeaseLostError,
  IdempotencyPayloadMismatchError,
  IdempotencyRecordCorruptError,
  makeIdempotent,
  step,
  type IdempotencyStore,
} from '../../lib/idempotency/index.js';
import { chargePayment } from '../../functions/shared/payments.js';
import { startPaymentProvider, type PaymentProvider } from '../../lib/local/payment-provider.js';
import { adapters } from '../support/adapters.js';
import { restEvent } from '../support/api-gateway-events.js';
import { countCalls, type CallCounter } from '../support/call-counter.js';
import { createOrdersTable, tableLayouts } from '../support/dynamodb.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { createGates, staleLeaseMs, takeOverExpiredLease } from '../support/lease-takeover.js';
import { createSqsEvent, createSqsRecord, failedMessageIds } from '../support/sqs-events.js';
import { useStoreFixture } from '../support/store-fixture.js';

let provider: PaymentProvider;

beforeAll(async () => {
  provider = await startPaymentProvider();
});
afterAll(() => provider.close());

const fresh = () => randomUUID();

/** A step that charges `order` at the provider with the step's derived key, counting how often it ran. */
function chargeStep(order: string, runs: { count: number; keys: string[] }) {
  return async ({ idempotencyKey }: { idempotencyKey: string }) => {
    runs.count += 1;
    runs.keys.push(idempotencyKey);
    return chargePayment(provider.url, idempotencyKey, { order, amountCents: 1250 });
  };
}

// Every case runs on both table layouts: steps address the record through the store's key mapping.
describe.each(tableLayouts)('on a table keyed by a %s', (_layoutName, layout) => {
  const fixture = useStoreFixture(layout);
  let counter: CallCounter;
  let ordersTable: string;
  beforeAll(async () => {
    counter = countCalls(fixture.client);
    ordersTable = await createOrdersTable(fixture.client);
  });

  describe.each(adapters)('step through the %s', (_name, wrap) => {
    it('does not run a completed step again when a handler error released the key, and the retry completes', async () => {
      // Arrange
      const runs = { count: 0, keys: [] as string[] };
      let attempts = 0;
      const handler = wrap(
        async (event: { order: string }, context?: Context) => {
          attempts += 1;
          const charge = await step(context!, 'charge', chargeStep(event.order, runs));
          if (attempts === 1) throw new Error('the shipping service is down');
          return { order: event.order, chargeId: charge.chargeId };
        },
        { store: fixture.store, key: (event) => event.order },
      );
      const event = { order: fresh() };

      // Act
      const failed = await handler(event, createLambdaContext()).catch((error: unknown) => error);
      const retried = await handler(event, createLambdaContext());
      const replayed = await handler(event, createLambdaContext());

      // Assert
      expect(failed).toEqual(new Error('the shipping service is down'));
      expect(attempts).toBe(2);
      expect(runs.count).toBe(1);
      expect(provider.chargesFor(event.order)).toBe(1);
      expect(replayed).toEqual(retried);
    });

    it('refuses the step write of an invocation whose lease was taken over, and the new holder’s result wins', async () => {
      // Arrange
      let nowMs = Date.now();
      const gates = createGates();
      const runs = { count: 0, keys: [] as string[] };
      const order = fresh();
      const handler = wrap(
        async (_event: { order: string }, context?: Context) => {
          const attempt = runs.count + 1;
          const charge = await step(context!, 'charge', async (stepContext) => {
            const made = await chargeStep(order, runs)(stepContext);
            await gates.wait();
            return { ...made, attempt };
          });
          return charge;
        },
        { store: fixture.store, key: (event) => event.order, now: () => nowMs },
      );

      // Act
      const { stale, takeover } = await takeOverExpiredLease(
        (context) => handler({ order }, context),
        gates,
        () => (nowMs += staleLeaseMs + 1),
      );
      const replayed = await handler({ order }, createLambdaContext());

      // Assert
      expect(stale).toBeInstanceOf(IdempotencyLeaseLostError);
      expect(takeover).toMatchObject({ attempt: 2 });
      expect(replayed).toEqual(takeover);
      // Both ran with the same derived key, so the provider charged once.
      expect(runs.keys[0]).toBe(runs.keys[1]);
      expect(provider.chargesFor(order)).toBe(1);
    });

    it('resumes after the steps a dead invocation stored, once its lease ended', async () => {
      // Arrange
      let nowMs = Date.now();
      const gates = createGates();
      const ran: string[] = [];
      const handler = wrap(
        async (_event: { order: string }, context?: Context) => {
          const first = await step(context!, 'first', () => ran.push('first'));
          await gates.wait();
          const second = await step(context!, 'second', () => ran.push('second'));
          return { first, second };
        },
        { store: fixture.store, key: (event) => event.order, now: () => nowMs },
      );
      const order = fresh();

      // Act
      const { stale, takeover } = await takeOverExpiredLease(
        (context) => handler({ order }, context),
        gates,
        () => (nowMs += staleLeaseMs + 1),
      );

      // Assert
      expect(takeover).toEqual({ first: 1, second: 2 });
      // The takeover did not run `first` again; the dead one, let go last, ran `second` but could not store it.
      expect(ran).toEqual(['first', 'second', 'second']);
      expect(stale).toBeInstanceOf(IdempotencyLeaseLostError);
    });
  });

  describe('step', () => {
    it('gives each step of a record its own key, the same on every attempt, unrelated to the client key', async () => {
      // Arrange
      const keys: Record<string, string[]> = { a: [], b: [] };
      let attempts = 0;
      const handler = makeIdempotent(
        async (_event: { order: string }, context: Context) => {
          attempts += 1;
          for (const name of ['a', 'b'] as const) {
            await step(context, name, ({ idempotencyKey }) => {
              keys[name]?.push(idempotencyKey);
              if (attempts === 1 && name === 'b') throw new Error('b failed');
              return name;
            });
          }
          return 'done';
        },
        { store: fixture.store, key: (event) => event.order, namespace: 'step-keys' },
      );
      const other = makeIdempotent(async (_event: { order: string }, context: Context) => step(context, 'a', ({ idempotencyKey }) => idempotencyKey), {
        store: fixture.store,
        key: (event) => event.order,
        namespace: 'step-keys-other',
      });
      const order = fresh();

      // Act
      await handler({ order }, createLambdaContext()).catch(() => undefined);
      await handler({ order }, createLambdaContext());
      const otherKey = await other({ order }, createLambdaContext());

      // Assert
      expect(keys.a).toHaveLength(1);
      expect(keys.b).toHaveLength(2);
      expect(keys.b?.[0]).toBe(keys.b?.[1]);
      expect(keys.a?.[0]).not.toBe(keys.b?.[0]);
      expect(otherKey).not.toBe(keys.a?.[0]);
      for (const key of [...(keys.a ?? []), ...(keys.b ?? []), otherKey]) {
        expect(key).toMatch(/^[0-9a-f]{64}$/);
        expect(key).not.toContain(order);
      }
    });

    it('costs one write per step and, on a retry that resumes, one update beyond the refused claim and no read', async () => {
      // Arrange
      let attempts = 0;
      const handler = makeIdempotent(
        async (_event: { order: string }, context: Context) => {
          attempts += 1;
          const value = await step(context, 'one', () => 'stored');
          if (attempts === 1) throw new Error('fail after the step');
          return value;
        },
        { store: fixture.store, key: (event) => event.order, namespace: 'step-cost' },
      );
      const order = fresh();

      // Act
      counter.reset();
      await handler({ order }, createLambdaContext()).catch(() => undefined);
      const failed = { ...counter.calls };
      counter.reset();
      const retried = await handler({ order }, createLambdaContext());
      const resumed = { ...counter.calls };

      // Assert: claim, step, release that keeps the step; then the refused claim, the resume, the completion.
      expect(failed).toEqual({ PutItemCommand: 1, UpdateItemCommand: 2 });
      expect(resumed).toEqual({ PutItemCommand: 1, UpdateItemCommand: 2 });
      expect(retried).toBe('stored');
    });

    it('drops the steps once the record’s retention passed: a later claim runs them again', async () => {
      // Arrange
      let nowMs = Date.now();
      let runs = 0;
      const handler = makeIdempotent(
        async (_event: { order: string }, context: Context) => {
          await step(context, 'once', () => (runs += 1));
          throw new Error('always fails after the step');
        },
        { store: fixture.store, key: (event) => event.order, namespace: 'step-retention', expiresAfterSeconds: 60, now: () => nowMs },
      );
      const order = fresh();

      // Act
      await handler({ order }, createLambdaContext()).catch(() => undefined);
      await handler({ order }, createLambdaContext()).catch(() => undefined);
      const withinRetention = runs;
      nowMs += 61_000;
      await handler({ order }, createLambdaContext()).catch(() => undefined);

      // Assert
      expect(withinRetention).toBe(1);
      expect(runs).toBe(2);
    });

    it('refuses another payload under a key whose steps ran, without running or revealing them', async () => {
      // Arrange
      let runs = 0;
      const handler = makeIdempotent(
        async (event: { order: string; cents: number }, context: Context) => {
          await step(context, 'charge', () => (runs += 1));
          if (event.cents === 100) throw new Error('fails after the step');
          return 'placed';
        },
        { store: fixture.store, key: (event) => event.order, fingerprint: (event) => event.cents, namespace: 'step-mismatch' },
      );
      const order = fresh();

      // Act
      await handler({ order, cents: 100 }, createLambdaContext()).catch(() => undefined);
      const other = await handler({ order, cents: 999 }, createLambdaContext()).catch((error: unknown) => error);

      // Assert
      expect(other).toBeInstanceOf(IdempotencyPayloadMismatchError);
      expect(runs).toBe(1);
    });

    it('stores nothing when the step throws, and runs it again on the next call', async () => {
      // Arrange
      let runs = 0;
      const handler = makeIdempotent(
        async (_event: { order: string }, context: Context) => {
          const failed = await step(context, 'flaky', () => {
            runs += 1;
            throw new Error('provider timeout');
          }).catch((error: unknown) => error);
          const value = await step(context, 'flaky', () => (runs += 1));
          return { failed: (failed as Error).message, value };
        },
        { store: fixture.store, key: (event) => event.order, namespace: 'step-throws' },
      );

      // Act
      const answer = await handler({ order: fresh() }, createLambdaContext());

      // Assert
      expect(answer).toEqual({ failed: 'provider timeout', value: 2 });
    });

    it('runs the same name once when it is called twice at the same time, and returns its stored JSON copy', async () => {
      // Arrange
      let runs = 0;
      const handler = makeIdempotent(
        async (_event: { order: string }, context: Context) => {
          const made = () => {
            runs += 1;
            return { at: new Date(0), skipped: undefined };
          };
          return Promise.all([step(context, 'same', made), step(context, 'same', made), step(context, 'other', () => undefined)]);
        },
        { store: fixture.store, key: (event) => event.order, namespace: 'step-concurrent' },
      );

      // Act
      const [first, second, other] = await handler({ order: fresh() }, createLambdaContext());

      // Assert
      expect(runs).toBe(1);
      expect(first).toEqual({ at: '1970-01-01T00:00:00.000Z' });
      expect(second).toEqual(first);
      expect(other).toBeUndefined();
    });

    it.each([
      ['an empty name', ''],
      ['a name with a space', 'charge card'],
      ['a name of 101 characters', 'a'.repeat(101)],
      ['a number', 7],
    ])('refuses %s with a TypeError before running anything', async (_label, name) => {
      // Arrange
      let runs = 0;
      const handler = makeIdempotent(async (_event: { order: string }, context: Context) => step(context, name as string, () => (runs += 1)), {
        store: fixture.store,
        key: (event) => event.order,
        namespace: 'step-names',
      });

      // Act
      const error = await handler({ order: fresh() }, createLambdaContext()).catch((caught: unknown) => caught);

      // Assert
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toContain('step `name`');
      expect(runs).toBe(0);
    });

    it('refuses a result that would pass the size limit, naming it, and stores nothing', async () => {
      // Arrange
      let runs = 0;
      const handler = makeIdempotent(async (_event: { order: string }, context: Context) => step(context, 'large', () => 'x'.repeat(300_000 + runs++)), {
        store: fixture.store,
        key: (event) => event.order,
        namespace: 'step-size',
      });
      const order = fresh();

      // Act
      const error = await handler({ order }, createLambdaContext()).catch((caught: unknown) => caught);
      await handler({ order }, createLambdaContext()).catch(() => undefined);

      // Assert
      expect(error).toMatchObject({ name: 'IdempotencyStepTooLargeError', stepName: 'large', limitBytes: 262_144 });
      expect((error as Error).message).toContain('262144');
      expect(runs).toBe(2);
    });

    it.each([
      ['a BigInt', () => 1n],
      ['a function', () => () => 1],
    ])('refuses a result that is %s with a TypeError, storing nothing', async (_label, result) => {
      // Arrange
      let runs = 0;
      const handler = makeIdempotent(
        async (_event: { order: string }, context: Context) =>
          step(context, 'odd', () => {
            runs += 1;
            return result();
          }),
        { store: fixture.store, key: (event) => event.order, namespace: 'step-not-json' },
      );
      const order = fresh();

      // Act
      const error = await handler({ order }, createLambdaContext()).catch((caught: unknown) => caught);
      await handler({ order }, createLambdaContext()).catch(() => undefined);

      // Assert
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toContain('not JSON-serialisable');
      expect(runs).toBe(2);
    });

    it('answers a stored step result that is not valid JSON as a corrupt record', async () => {
      // Arrange: the first attempt stores the step and fails; then the stored result is damaged by hand.
      const name = `tampered-${fresh()}`;
      let attempts = 0;
      const handler = makeIdempotent(
        async (_event: { order: string }, context: Context) => {
          attempts += 1;
          await step(context, name, () => 'fine');
          if (attempts === 1) throw new Error('fails after the step');
        },
        { store: fixture.store, key: (event) => event.order, namespace: 'step-corrupt' },
      );
      const order = fresh();
      await handler({ order }, createLambdaContext()).catch(() => undefined);
      const { Items = [] } = await fixture.client.send(new ScanCommand({ TableName: fixture.tableName, ConsistentRead: true }));
      const damaged = Items.find((item) => item.steps?.M?.[name] !== undefined) ?? {};
      const keyNames = [layout.keyAttribute, layout.sortKeyAttribute];
      await fixture.client.send(
        new UpdateItemCommand({
          TableName: fixture.tableName,
          Key: Object.fromEntries(Object.entries(damaged).filter(([attribute]) => keyNames.includes(attribute))),
          UpdateExpression: 'SET steps.#name = :bad',
          ExpressionAttributeNames: { '#name': name },
          ExpressionAttributeValues: { ':bad': { S: '{not json' } },
        }),
      );

      // Act
      const error = await handler({ order }, createLambdaContext()).catch((caught: unknown) => caught);

      // Assert
      expect(error).toBeInstanceOf(IdempotencyRecordCorruptError);
    });

    it('refuses a function that is not a function with a TypeError', async () => {
      // Arrange
      const handler = makeIdempotent(async (_event: { order: string }, context: Context) => step(context, 'charge', 'charge' as never), {
        store: fixture.store,
        key: (event) => event.order,
        namespace: 'step-not-function',
      });

      // Act
      const error = await handler({ order: fresh() }, createLambdaContext()).catch((caught: unknown) => caught);

      // Assert
      expect(error).toBeInstanceOf(TypeError);
    });

    it('counts steps saved at the same time against the limit, so together they never pass it', async () => {
      // Arrange: two steps of 200,000 bytes each, run concurrently; either fits alone.
      const handler = makeIdempotent(
        async (_event: { order: string }, context: Context) =>
          Promise.allSettled([step(context, 'one', () => 'x'.repeat(200_000)), step(context, 'two', () => 'y'.repeat(200_000))]),
        { store: fixture.store, key: (event) => event.order, namespace: 'step-size-together' },
      );

      // Act
      const settled = await handler({ order: fresh() }, createLambdaContext());

      // Assert
      expect(settled.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect(settled.find((outcome) => outcome.status === 'rejected')).toMatchObject({ reason: { name: 'IdempotencyStepTooLargeError' } });
    });

    it('throws a typed error and runs nothing when the store has no step support', async () => {
      // Arrange
      const { claim, complete, release } = fixture.store;
      const bare: IdempotencyStore = { claim, complete, release };
      let runs = 0;
      const handler = makeIdempotent(async (_event: { order: string }, context: Context) => step(context, 'charge', () => (runs += 1)), {
        store: bare,
        key: (event) => event.order,
        namespace: 'step-unsupported',
      });

      // Act
      const error = await handler({ order: fresh() }, createLambdaContext()).catch((caught: unknown) => caught);

      // Assert
      expect(error).toMatchObject({ name: 'IdempotencyStepsUnsupportedError' });
      expect(runs).toBe(0);
    });

    it('runs the step every time when idempotency is skipped for the invocation', async () => {
      // Arrange
      const keys: string[] = [];
      const handler = makeIdempotent(
        async (_event: { order?: string }, context: Context) => step(context, 'charge', ({ idempotencyKey }) => keys.push(idempotencyKey)),
        { store: fixture.store, key: (event) => event.order, onMissingKey: 'skip', namespace: 'step-skip' },
      );

      // Act
      await handler({}, createLambdaContext());
      await handler({}, createLambdaContext());

      // Assert
      expect(keys).toHaveLength(2);
      expect(keys[0]).not.toBe(keys[1]);
    });

    it('leaves no steps in the completed record', async () => {
      // Arrange
      const handler = makeIdempotent(async (_event: { order: string }, context: Context) => step(context, 'kept-until-completion', () => 'value'), {
        store: fixture.store,
        key: (event) => event.order,
        namespace: 'step-completed',
      });

      // Act
      await handler({ order: fresh() }, createLambdaContext());
      const { Items = [] } = await fixture.client.send(new ScanCommand({ TableName: fixture.tableName, ConsistentRead: true }));

      // Assert
      expect(Items.filter((item) => item.status?.S === 'COMPLETED' && item.steps !== undefined)).toEqual([]);
    });
  });

  describe('step with the other adapters', () => {
    it('charges once through httpIdempotency, then places the order with completeWithTransaction', async () => {
      // Arrange
      let attempts = 0;
      const runs = { count: 0, keys: [] as string[] };
      const handler = middy(async (event: { body: string | null }, context: Context) => {
        attempts += 1;
        const order = (JSON.parse(event.body ?? '{}') as { order: string }).order;
        const charge = await step(context, 'charge', chargeStep(order, runs));
        if (attempts === 1) throw new Error('crash before the order');
        const result = { statusCode: 201, body: JSON.stringify({ order, chargeId: charge.chargeId }) };
        const put = { Put: { TableName: ordersTable, Item: { orderId: { S: order } }, ConditionExpression: 'attribute_not_exists(orderId)' } };
        await completeWithTransaction(context, { writes: [put], result });
        return result;
      }).use(httpIdempotency({ store: fixture.store }));
      const order = fresh();
      const event = restEvent({ headers: { 'Idempotency-Key': order }, body: JSON.stringify({ order }) });

      // Act
      const failed = await handler(event, createLambdaContext()).catch((error: unknown) => error);
      const placed = await handler(event, createLambdaContext());
      const replayed = await handler(event, createLambdaContext());
      const stored = await fixture.client.send(new GetItemCommand({ TableName: ordersTable, Key: { orderId: { S: order } }, ConsistentRead: true }));

      // Assert
      expect(failed).toEqual(new Error('crash before the order'));
      expect(placed.statusCode).toBe(201);
      expect(replayed.body).toBe(placed.body);
      expect(runs.count).toBe(1);
      expect(provider.chargesFor(order)).toBe(1);
      expect(stored.Item?.orderId?.S).toBe(order);
    });

    it('keeps each SQS record’s steps apart, and a redelivered failed record resumes after its step', async () => {
      // Arrange
      const runs = new Map<string, number>();
      let failOnce = true;
      const orderOf = (record: SQSRecord) => (JSON.parse(record.body) as { order: string }).order;
      const handler = createSqsBatchHandler(
        async (record: SQSRecord, context: Context) => {
          const order = orderOf(record);
          const charged = await step(context, 'charge', () => {
            runs.set(order, (runs.get(order) ?? 0) + 1);
            return order;
          });
          if (failOnce && order.endsWith('0')) throw new Error('fails once after the step');
          return charged;
        },
        { store: fixture.store, key: orderOf },
      );
      const orders = [`${fresh()}-0`, `${fresh()}-1`];
      const event = createSqsEvent(orders.map((order) => createSqsRecord(fresh(), { body: JSON.stringify({ order }) })));

      // Act
      const first = await handler(event, createLambdaContext());
      failOnce = false;
      const redelivered = await handler(event, createLambdaContext());

      // Assert
      expect(failedMessageIds(first)).toHaveLength(1);
      expect(failedMessageIds(redelivered)).toEqual([]);
      expect(Object.fromEntries(runs)).toEqual({ [orders[0] as string]: 1, [orders[1] as string]: 1 });
    });
  });
});
