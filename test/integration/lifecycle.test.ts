import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetItemCommand, ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  createDynamoDBStore,
  idempotency,
  wasReplayed,
  IdempotencyError,
  IdempotencyInProgressError,
  IdempotencyKeyError,
  IdempotencyPayloadMismatchError,
  IdempotencyResultNotStoredError,
  type DynamoDBStore,
  type IdempotencyOutcome,
} from '../../lib/idempotency/index.js';
import { deriveRecordId } from '../../lib/idempotency/key.js';
import middy from '@middy/core';
import { adapters } from '../support/adapters.js';
import { createIdempotencyTable, createTestClient } from '../support/dynamodb.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { waitFor } from '../support/wait-for.js';

interface PaymentEvent {
  paymentId?: unknown;
  cents?: number;
  tenant?: string;
}

let client: DynamoDBClient;
let tableName: string;
let store: DynamoDBStore;
let nextKey = 0;
const freshKey = () => `key-${++nextKey}-${Math.random().toString(36).slice(2)}`;

beforeAll(async () => {
  client = createTestClient();
  tableName = await createIdempotencyTable(client);
  store = createDynamoDBStore({ tableName, client });
});
afterAll(() => client.destroy());

describe.each(adapters)('%s', (_name, wrap) => {
  const byPaymentId = (event: PaymentEvent) => event.paymentId;

  it.each([
    ['undefined', undefined],
    ['a string', 'charged'],
    ['a number', 42],
    ['zero', 0],
    ['null', null],
    ['an object', { receipt: 'r-1', lines: [{ cents: 5 }], nested: { ok: true } }],
  ])('replays %s exactly and runs the handler once', async (_label, value) => {
    // Arrange
    let runs = 0;
    const handler = wrap(
      async (_event: PaymentEvent) => {
        runs += 1;
        return value;
      },
      { store, key: byPaymentId },
    );
    const event = { paymentId: freshKey() };

    // Act
    const first = await handler(event, createLambdaContext());
    const second = await handler(event, createLambdaContext());

    // Assert
    expect(first).toEqual(value);
    expect(second).toEqual(value);
    expect(runs).toBe(1);
  });

  it('gives a duplicate of a running invocation an in-progress error with a retry hint and leaves its record alone', async () => {
    // Arrange
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let runs = 0;
    // The clock stands still, so the Retry-After does not depend on how long the machine took between the two calls.
    const clockMs = Date.now();
    const handler = wrap(
      async () => {
        runs += 1;
        await gate;
        return 'done';
      },
      { store, key: byPaymentId, now: () => clockMs },
    );
    const event = { paymentId: freshKey() };

    // Act
    const first = handler(event, createLambdaContext({ remainingMs: 20_000 }));
    await waitFor(() => runs === 1);
    const duplicate = await handler(event, createLambdaContext()).catch((error: unknown) => error);
    release();

    // Assert
    expect(duplicate).toBeInstanceOf(IdempotencyInProgressError);
    expect((duplicate as IdempotencyInProgressError).retryAfterSeconds).toBe(20);
    await expect(first).resolves.toBe('done');
    await expect(handler(event, createLambdaContext())).resolves.toBe('done');
    expect(runs).toBe(1);
  });

  it('refuses a duplicate with another fingerprint and never hands it the first result', async () => {
    // Arrange
    const handler = wrap(async (event: PaymentEvent) => ({ cents: event.cents }), { store, key: byPaymentId, fingerprint: (event) => event.cents });
    const paymentId = freshKey();
    await handler({ paymentId, cents: 100 }, createLambdaContext());

    // Act
    const mismatch = await handler({ paymentId, cents: 999 }, createLambdaContext()).catch((error: unknown) => error);

    // Assert
    expect(mismatch).toBeInstanceOf(IdempotencyPayloadMismatchError);
    await expect(handler({ paymentId, cents: 100 }, createLambdaContext())).resolves.toEqual({ cents: 100 });
  });

  it('releases the key when the handler throws, rethrows the same error, and lets a retry run', async () => {
    // Arrange
    const failure = new Error('card declined by the network');
    let runs = 0;
    const handler = wrap(
      async () => {
        runs += 1;
        if (runs === 1) throw failure;
        return 'charged';
      },
      { store, key: byPaymentId },
    );
    const event = { paymentId: freshKey() };

    // Act
    const thrown = await handler(event, createLambdaContext()).catch((error: unknown) => error);
    const retried = await handler(event, createLambdaContext());

    // Assert
    expect(thrown).toBe(failure);
    expect(retried).toBe('charged');
    expect(runs).toBe(2);
  });

  it('releases the key instead of storing when shouldStore says no', async () => {
    // Arrange
    let runs = 0;
    const handler = wrap(async () => ({ status: ++runs === 1 ? 'declined' : 'ok' }), {
      store,
      key: byPaymentId,
      shouldStore: (result) => result.status === 'ok',
    });
    const event = { paymentId: freshKey() };

    // Act
    const first = await handler(event, createLambdaContext());
    const second = await handler(event, createLambdaContext());
    const third = await handler(event, createLambdaContext());

    // Assert
    expect(first).toEqual({ status: 'declined' });
    expect(second).toEqual({ status: 'ok' });
    expect(third).toEqual({ status: 'ok' });
    expect(runs).toBe(2);
  });

  it('derives the key once, so a handler that mutates its event completes its own record', async () => {
    // Arrange
    let runs = 0;
    const handler = wrap(
      async (event: PaymentEvent) => {
        runs += 1;
        event.paymentId = 'mutated';
        return 'ok';
      },
      { store, key: byPaymentId },
    );
    const paymentId = freshKey();

    // Act
    await handler({ paymentId }, createLambdaContext());
    const duplicate = await handler({ paymentId }, createLambdaContext());

    // Assert
    expect(duplicate).toBe('ok');
    expect(runs).toBe(1);
  });

  it.each([
    ['missing', {}, 'missing'],
    ['empty', { paymentId: '' }, 'invalid'],
    ['too long', { paymentId: 'k'.repeat(256) }, 'invalid'],
    ['holding a control character', { paymentId: 'abc\ndef' }, 'invalid'],
    ['not a string', { paymentId: 12 }, 'invalid'],
  ])('throws IdempotencyKeyError without running the handler when the key is %s', async (_label, event, problem) => {
    // Arrange
    let runs = 0;
    const handler = wrap(async (_event: PaymentEvent) => ++runs, { store, key: byPaymentId });

    // Act
    const error = await handler(event, createLambdaContext()).catch((thrown: unknown) => thrown);

    // Assert
    expect(error).toBeInstanceOf(IdempotencyKeyError);
    expect(error).toBeInstanceOf(IdempotencyError);
    expect((error as IdempotencyKeyError).problem).toBe(problem);
    expect(runs).toBe(0);
  });

  it('runs without idempotency when the key is missing and onMissingKey is skip', async () => {
    // Arrange
    let runs = 0;
    const outcomes: IdempotencyOutcome[] = [];
    const handler = wrap(async (_event: PaymentEvent) => ++runs, { store, key: byPaymentId, onMissingKey: 'skip', onOutcome: (o) => outcomes.push(o) });

    // Act
    await handler({}, createLambdaContext());
    await handler({}, createLambdaContext());

    // Assert
    expect(runs).toBe(2);
    expect(outcomes.map((o) => o.type)).toEqual(['skipped', 'skipped']);
  });

  it('keeps equal keys of different scopes apart', async () => {
    // Arrange
    const handler = wrap(async (event: PaymentEvent) => `for ${event.tenant}`, { store, key: byPaymentId, scope: (event) => event.tenant });
    const paymentId = freshKey();

    // Act
    const a = await handler({ paymentId, tenant: 'tenant-a' }, createLambdaContext());
    const b = await handler({ paymentId, tenant: 'tenant-b' }, createLambdaContext());

    // Assert
    expect(a).toBe('for tenant-a');
    expect(b).toBe('for tenant-b');
  });

  it('keeps equal keys of different functions apart', async () => {
    // Arrange
    const handler = wrap(async (_event: PaymentEvent, context) => context?.functionName, { store, key: byPaymentId });
    const paymentId = freshKey();

    // Act
    const a = await handler({ paymentId }, createLambdaContext({ functionName: 'charge' }));
    const b = await handler({ paymentId }, createLambdaContext({ functionName: 'refund' }));

    // Assert
    expect([a, b]).toEqual(['charge', 'refund']);
  });

  it('stores the SHA-256 of function, namespace, scope and key, never the raw key', async () => {
    // Arrange
    const paymentId = `raw-${freshKey()}`;
    const handler = wrap(async () => 'ok', { store, key: byPaymentId, namespace: 'payments', scope: () => 'tenant-x' });

    // Act
    await handler({ paymentId }, createLambdaContext({ functionName: 'charge' }));

    // Assert
    const id = deriveRecordId({ functionName: 'charge', namespace: 'payments', scope: 'tenant-x', clientKey: paymentId });
    const item = await client.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: id } }, ConsistentRead: true }));
    expect(item.Item?.status?.S).toBe('COMPLETED');
    const scan = await client.send(new ScanCommand({ TableName: tableName }));
    expect(JSON.stringify(scan.Items)).not.toContain(paymentId);
  });

  it('returns a result too large to store to its caller and answers duplicates with IdempotencyResultNotStoredError', async () => {
    // Arrange
    const smallStore = createDynamoDBStore({ tableName, client, maxStoredResultBytes: 1_000 });
    let runs = 0;
    const random = () => Math.random().toString(36).slice(2);
    const handler = wrap(
      async () => {
        runs += 1;
        return Array.from({ length: 400 }, random).join('');
      },
      { store: smallStore, key: byPaymentId },
    );
    const event = { paymentId: freshKey() };

    // Act
    const first = await handler(event, createLambdaContext());
    const duplicate = await handler(event, createLambdaContext()).catch((error: unknown) => error);

    // Assert
    expect(typeof first).toBe('string');
    expect((first as string).length).toBeGreaterThan(3_000);
    expect(duplicate).toBeInstanceOf(IdempotencyResultNotStoredError);
    expect(runs).toBe(1);
  });

  it('compresses a large result and replays it byte for byte', async () => {
    // Arrange
    const large = { lines: Array.from({ length: 15_000 }, (_, index) => ({ sku: `sku-${index}`, cents: index })) };
    let recordId = '';
    const handler = wrap(async () => large, { store, key: byPaymentId, onOutcome: (outcome) => (recordId = outcome.recordId ?? '') });
    const event = { paymentId: freshKey() };

    // Act
    await handler(event, createLambdaContext());
    const replayed = await handler(event, createLambdaContext());

    // Assert
    expect(JSON.stringify(large).length).toBeGreaterThan(400_000);
    expect(replayed).toEqual(large);
    const item = await client.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: recordId } }, ConsistentRead: true }));
    expect(item.Item?.data?.B?.byteLength).toBeLessThan(100_000);
  });

  it('reports each step to onOutcome', async () => {
    // Arrange
    const outcomes: IdempotencyOutcome[] = [];
    const handler = wrap(async () => 'ok', { store, key: byPaymentId, onOutcome: (outcome) => outcomes.push(outcome) });
    const event = { paymentId: freshKey() };

    // Act
    await handler(event, createLambdaContext());
    await handler(event, createLambdaContext());

    // Assert
    expect(outcomes.map((o) => o.type)).toEqual(['claimed', 'completed', 'replayed']);
    expect(new Set(outcomes.map((o) => o.recordId)).size).toBe(1);
    expect(outcomes.every((o) => o.durationMs >= 0)).toBe(true);
  });
});

describe('wasReplayed', () => {
  it('tells a Middy plugin at request end whether the response was a replay', async () => {
    // Arrange
    const seen: boolean[] = [];
    // Middlewares are skipped on a replay, so the request is observed through Middy's plugin hook.
    const handler = middy(async () => 'ok', { requestEnd: (request) => void seen.push(wasReplayed(request)) }).use(
      idempotency({ store, key: (event: PaymentEvent) => event.paymentId }),
    );
    const event = { paymentId: freshKey() };

    // Act
    await handler(event, createLambdaContext());
    await handler(event, createLambdaContext());

    // Assert
    expect(seen).toEqual([false, true]);
  });
});
