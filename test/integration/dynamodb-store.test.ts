import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import {
  createDynamoDBStore,
  idempotency,
  IdempotencyInProgressError,
  makeIdempotent,
  type DynamoDBStore,
  type IdempotencyOutcome,
} from '../../lib/idempotency/index.js';
import type { ClaimRequest } from '../../lib/idempotency/store/store.js';
import { countCalls, type CallCounter } from '../support/call-counter.js';
import { createIdempotencyTable, createTestClient } from '../support/dynamodb.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { createGates, staleLeaseMs, takeOverExpiredLease } from '../support/lease-takeover.js';
import { waitFor } from '../support/wait-for.js';

let client: DynamoDBClient;
let tableName: string;
let store: DynamoDBStore;
let counter: CallCounter;
const fresh = () => `id-${Math.random().toString(36).slice(2)}`;
const startMs = Date.now();
const claimRequest = (id: string, nowMs: number, leaseMs = 10_000): ClaimRequest => ({
  id,
  nowMs,
  leaseExpiresAtEpochMs: nowMs + leaseMs,
  expiresAtEpochSeconds: Math.ceil(nowMs / 1000) + 3_600,
});

beforeAll(async () => {
  client = createTestClient();
  counter = countCalls(client);
  tableName = await createIdempotencyTable(client);
  store = createDynamoDBStore({ tableName, client });
});
afterAll(() => client.destroy());

describe('createDynamoDBStore', () => {
  it('claims an absent key with one PutItem and returns the holder of a taken key with one more', async () => {
    // Arrange
    const id = fresh();
    counter.reset();

    // Act
    const first = await store.claim(claimRequest(id, startMs));
    const second = await store.claim(claimRequest(id, startMs + 1));

    // Assert
    expect(first.kind).toBe('claimed');
    expect(second.kind).toBe('held');
    expect(second.kind === 'held' && second.record.status).toBe('IN_PROGRESS');
    expect(counter.calls).toEqual({ PutItemCommand: 2 });
  });

  it('lets a new claim take over an IN_PROGRESS record whose lease has ended', async () => {
    // Arrange
    const id = fresh();
    await store.claim(claimRequest(id, startMs, 1_000));

    // Act
    const beforeLeaseEnds = await store.claim(claimRequest(id, startMs + 999));
    const afterLeaseEnds = await store.claim(claimRequest(id, startMs + 1_000));

    // Assert
    expect(beforeLeaseEnds.kind).toBe('held');
    expect(afterLeaseEnds.kind).toBe('claimed');
  });

  it('treats a completed record whose retention has passed as absent, although TTL has not deleted it', async () => {
    // Arrange
    const id = fresh();
    const claimed = await store.claim(claimRequest(id, startMs));
    if (claimed.kind !== 'claimed') throw new Error('expected a claim');
    await store.complete(claimed.claim, 'old result');
    const retentionEndMs = claimed.claim.expiresAtEpochSeconds * 1000;

    // Act
    const during = await store.claim(claimRequest(id, retentionEndMs - 1));
    const after = await store.claim(claimRequest(id, retentionEndMs));

    // Assert
    expect(during.kind === 'held' && during.record.status).toBe('COMPLETED');
    expect(after.kind).toBe('claimed');
  });

  it('refuses completion and release by a claim whose lease was taken over', async () => {
    // Arrange
    const id = fresh();
    const stale = await store.claim(claimRequest(id, startMs, 1_000));
    const current = await store.claim(claimRequest(id, startMs + 2_000));
    if (stale.kind !== 'claimed' || current.kind !== 'claimed') throw new Error('expected two claims');

    // Act
    const staleComplete = await store.complete(stale.claim, 'stale');
    const staleRelease = await store.release(stale.claim);
    const currentComplete = await store.complete(current.claim, 'current');

    // Assert
    expect(staleComplete).toEqual({ kind: 'lease-lost' });
    expect(staleRelease).toBe('lease-lost');
    expect(currentComplete).toEqual({ kind: 'completed', resultStored: true });
    const item = await client.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: id } }, ConsistentRead: true }));
    expect(item.Item?.data?.S).toBe('"current"');
  });

  it('keeps an IN_PROGRESS record alive in TTL until its lease ends, even with a short retention', async () => {
    // Arrange
    const id = fresh();
    const leaseEndMs = startMs + 600_000;

    // Act
    await store.claim({ id, nowMs: startMs, leaseExpiresAtEpochMs: leaseEndMs, expiresAtEpochSeconds: Math.ceil(startMs / 1000) + 1 });

    // Assert
    const item = await client.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: id } }, ConsistentRead: true }));
    expect(Number(item.Item?.expiration?.N)).toBeGreaterThanOrEqual(Math.ceil(leaseEndMs / 1000));
  });

  it('writes the table attributes under configurable key and TTL names', async () => {
    // Arrange
    const renamedTable = await createIdempotencyTable(client, 'pk', 'ttl');
    const renamed = createDynamoDBStore({ tableName: renamedTable, client, keyAttribute: 'pk', expiryAttribute: 'ttl' });
    const id = fresh();

    // Act
    const claimed = await renamed.claim(claimRequest(id, startMs));
    const held = await renamed.claim(claimRequest(id, startMs + 1));

    // Assert
    expect(claimed.kind).toBe('claimed');
    expect(held.kind).toBe('held');
    const item = await client.send(new GetItemCommand({ TableName: renamedTable, Key: { pk: { S: id } }, ConsistentRead: true }));
    expect(item.Item?.ttl?.N).toBeDefined();
  });
});

describe('lease and fencing through the middleware', () => {
  it('lets a second invocation take over a lease that expired, and rejects the first one completion', async () => {
    // Arrange
    let nowMs = startMs;
    const outcomes: IdempotencyOutcome[] = [];
    const gates = createGates();
    let runs = 0;
    const handler = middy(async () => {
      const run = ++runs;
      await gates.wait();
      return `run ${run}`;
    }).use(idempotency({ store, key: (event: { id: string }) => event.id, now: () => nowMs, onOutcome: (o) => outcomes.push(o) }));
    const event = { id: fresh() };

    // Act
    const { stale, takeover } = await takeOverExpiredLease(
      (context) => handler(event, context),
      gates,
      () => (nowMs += staleLeaseMs + 1),
    );
    const replay = await handler(event, createLambdaContext());

    // Assert
    expect(takeover).toBe('run 2');
    expect(stale).toBe('run 1');
    expect(runs).toBe(2);
    expect(replay).toBe('run 2');
    expect(outcomes.map((o) => o.type)).toEqual(['claimed', 'claimed', 'completed', 'lease-lost', 'replayed']);
  });

  it('uses the fallback lease when there is no context or it reports 0 ms left', async () => {
    // Arrange
    const nowMs = startMs;
    let started = 0;
    const hang = makeIdempotent(
      async (_event: { id: string }, _context?: unknown) => {
        started += 1;
        return new Promise(() => undefined);
      },
      {
        store,
        key: (event) => event.id,
        namespace: 'hang',
        fallbackLeaseSeconds: 45,
        now: () => nowMs,
      },
    );
    const withoutContext = { id: fresh() };
    const withZeroLeft = { id: fresh() };

    // Act
    void hang(withoutContext);
    void hang(withZeroLeft, createLambdaContext({ remainingMs: 0 }));
    await waitFor(() => started === 2);
    const duplicates = await Promise.all(
      [hang(withoutContext), hang(withZeroLeft, createLambdaContext())].map((call) => call.catch((error: unknown) => error)),
    );

    // Assert
    for (const duplicate of duplicates) {
      expect(duplicate).toBeInstanceOf(IdempotencyInProgressError);
      expect((duplicate as IdempotencyInProgressError).retryAfterSeconds).toBe(45);
    }
  });

  it('keeps the key held when Middy times the handler out early, since the handler may still be running', async () => {
    // Arrange
    let runs = 0;
    // The clock stands still, so the duplicate arrives within the first invocation's lease.
    const handler = middy(async () => {
      runs += 1;
      return new Promise(() => undefined);
    }).use(idempotency({ store, key: (event: { id: string }) => event.id, now: () => startMs }));
    const event = { id: fresh() };

    // Act
    const timedOut = await handler(event, createLambdaContext({ remainingMs: 200 })).catch((error: unknown) => error);
    // On a loaded machine Middy may time out before the claim is written; the handler still starts once it is.
    await waitFor(() => runs === 1);
    const duplicate = await handler(event, createLambdaContext()).catch((error: unknown) => error);

    // Assert
    expect((timedOut as Error).name).toBe('TimeoutError');
    expect(duplicate).toBeInstanceOf(IdempotencyInProgressError);
    expect(runs).toBe(1);
  });
});

describe('DynamoDB round trips per path', () => {
  it('costs 2 calls for a first call, 1 for a duplicate, 0 for a cached duplicate, 1 in progress, 2 on handler error', async () => {
    // Arrange
    let fail = false;
    let hold: Promise<void> | undefined;
    let entered = 0;
    const handler = middy(async () => {
      entered += 1;
      await hold;
      if (fail) throw new Error('boom');
      return { ok: true };
    }).use(idempotency({ store, key: (event: { id: string }) => event.id, localCacheMaxEntries: 10 }));
    const uncached = middy(async () => ({ ok: true })).use(idempotency({ store, key: (event: { id: string }) => event.id }));
    const event = { id: fresh() };
    const measure = async (call: () => Promise<unknown>) => {
      counter.reset();
      await call().catch(() => undefined);
      return { ...counter.calls };
    };

    // Act
    const first = await measure(() => handler(event, createLambdaContext()));
    const duplicate = await measure(() => uncached(event, createLambdaContext()));
    const cached = await measure(() => handler(event, createLambdaContext()));
    let open: () => void = () => undefined;
    hold = new Promise((resolve) => (open = resolve));
    const runningEvent = { id: fresh() };
    const enteredBefore = entered;
    const running = handler(runningEvent, createLambdaContext());
    await waitFor(() => entered > enteredBefore);
    const inProgress = await measure(() => uncached(runningEvent, createLambdaContext()));
    open();
    await running;
    hold = undefined;
    fail = true;
    const error = await measure(() => handler({ id: fresh() }, createLambdaContext()));

    // Assert
    expect(first).toEqual({ PutItemCommand: 1, UpdateItemCommand: 1 });
    expect(duplicate).toEqual({ PutItemCommand: 1 });
    expect(cached).toEqual({});
    expect(inProgress).toEqual({ PutItemCommand: 1 });
    expect(error).toEqual({ PutItemCommand: 1, DeleteItemCommand: 1 });
  });
});
