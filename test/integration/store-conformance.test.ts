import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import middy from '@middy/core';
import type { SQSRecord } from 'aws-lambda';
import {
  createSqsBatchHandler,
  idempotency,
  IdempotencyInProgressError,
  makeIdempotent,
  type IdempotencyOutcome,
  type IdempotencyStore,
} from '../../lib/idempotency/index.js';
import { parseStoredResult } from '../../lib/idempotency/store/result-encoding.js';
import type { Claim, ClaimRequest } from '../../lib/idempotency/store/store.js';
import { adapters } from '../support/adapters.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { createSqsEvent, createSqsRecord, failedMessageIds, redeliverSqsRecord } from '../support/sqs-events.js';
import { createGates, staleLeaseMs, takeOverExpiredLease } from '../support/lease-takeover.js';
import { storeKinds, type StoreBackend } from '../support/store-kinds.js';
import { waitFor } from '../support/wait-for.js';

// One suite, every store: what the lifecycle relies on, whatever keeps the records. Clocks are injected and start at
// the real time, so that a backend which expires records by its own clock (Redis) never deletes one a case still reads.
const fresh = () => `conformance-${Math.random().toString(36).slice(2)}`;
const request = (id: string, nowMs: number, leaseMs = 10_000, retentionSeconds = 3_600): ClaimRequest => ({
  id,
  nowMs,
  fingerprintHash: 'f'.repeat(64),
  leaseExpiresAtEpochMs: nowMs + leaseMs,
  expiresAtEpochSeconds: Math.ceil(nowMs / 1000) + retentionSeconds,
});
const claimOf = async (store: IdempotencyStore, claimRequest: ClaimRequest): Promise<Claim> => {
  const answer = await store.claim(claimRequest);
  if (answer.kind !== 'claimed') throw new Error(`expected to claim ${claimRequest.id}`);
  return answer.claim;
};

describe.each(storeKinds)('the %s store', (_name, openBackend) => {
  let backend: StoreBackend;
  let store: IdempotencyStore;
  const startMs = Date.now();
  beforeAll(async () => {
    backend = await openBackend();
    store = backend.open();
  });
  afterAll(() => backend.close());

  describe('claim', () => {
    it('takes an absent key, then answers a duplicate with the IN_PROGRESS record that holds it', async () => {
      // Arrange
      const id = fresh();

      // Act
      const first = await store.claim(request(id, startMs));
      const second = await store.claim(request(id, startMs + 1));

      // Assert
      expect(first.kind).toBe('claimed');
      if (first.kind !== 'claimed' || second.kind !== 'held') throw new Error('expected a claim, then a held record');
      expect(second.record).toMatchObject({ id, status: 'IN_PROGRESS', leaseToken: first.claim.leaseToken, fingerprintHash: 'f'.repeat(64) });
      expect(second.record.leaseExpiresAtEpochMs).toBe(startMs + 10_000);
    });

    it('takes over an IN_PROGRESS record at the end of its lease, not a millisecond before', async () => {
      // Arrange
      const id = fresh();
      await store.claim(request(id, startMs, 1_000));

      // Act
      const beforeLeaseEnds = await store.claim(request(id, startMs + 999));
      const atLeaseEnd = await store.claim(request(id, startMs + 1_000));

      // Assert
      expect(beforeLeaseEnds.kind).toBe('held');
      expect(atLeaseEnd.kind).toBe('claimed');
    });

    it('treats a COMPLETED record whose retention has passed as absent, although it has not expired yet', async () => {
      // Arrange
      const id = fresh();
      const claim = await claimOf(store, request(id, startMs));
      await store.complete(claim, 'old result');
      const retentionEndMs = claim.expiresAtEpochSeconds * 1000;

      // Act
      const during = await store.claim(request(id, retentionEndMs - 1));
      const after = await store.claim(request(id, retentionEndMs));

      // Assert
      expect(during.kind === 'held' && during.record.status).toBe('COMPLETED');
      expect(after.kind).toBe('claimed');
    });
  });

  describe('fencing', () => {
    it('refuses completion and release by a claim whose lease was taken over, and keeps the new claim’s result', async () => {
      // Arrange
      const id = fresh();
      const stale = await claimOf(store, request(id, startMs, 1_000));
      const current = await claimOf(store, request(id, startMs + 2_000));

      // Act
      const staleComplete = await store.complete(stale, 'stale');
      const staleRelease = await store.release(stale);
      const currentComplete = await store.complete(current, 'current');

      // Assert
      expect(staleComplete).toEqual({ kind: 'lease-lost' });
      expect(staleRelease).toBe('lease-lost');
      expect(currentComplete).toEqual({ kind: 'completed', resultStored: true });
      const record = await store.get?.(id);
      expect(record?.result).toEqual({ kind: 'json', json: '"current"' });
    });

    it('releases its own claim so that the next claim runs, and calls a release of a vanished key done', async () => {
      // Arrange
      const id = fresh();
      const claim = await claimOf(store, request(id, startMs));

      // Act
      const released = await store.release(claim);
      const releasedAgain = await store.release(claim);
      const afterRelease = await store.get?.(id);
      const next = await store.claim(request(id, startMs + 1));

      // Assert
      expect([released, releasedAgain]).toEqual(['done', 'done']);
      expect(afterRelease).toBeUndefined();
      expect(next.kind).toBe('claimed');
    });

    it('refuses a completion after the claim was released and another caller completed', async () => {
      // Arrange
      const id = fresh();
      const first = await claimOf(store, request(id, startMs));
      await store.release(first);
      const second = await claimOf(store, request(id, startMs + 1));
      await store.complete(second, 'second');

      // Act
      const late = await store.complete(first, 'first');

      // Assert
      expect(late).toEqual({ kind: 'lease-lost' });
      expect((await store.get?.(id))?.result).toEqual({ kind: 'json', json: '"second"' });
    });
  });

  describe('expiry', () => {
    it('keeps an IN_PROGRESS record until its lease ends even with a shorter retention, and a COMPLETED one until its retention ends', async () => {
      // Arrange
      const id = fresh();
      const leaseMs = 600_000;

      // Act
      const claim = await claimOf(store, request(id, startMs, leaseMs, 1));
      const whileInProgress = await backend.expiresAtEpochSeconds(id);
      const retained = { ...claim, expiresAtEpochSeconds: Math.ceil(startMs / 1000) + 7_200 };
      await store.complete(retained, { ok: true });
      const whenCompleted = await backend.expiresAtEpochSeconds(id);

      // Assert
      expect(whileInProgress).toBe(Math.ceil((startMs + leaseMs) / 1000));
      expect(whenCompleted).toBe(retained.expiresAtEpochSeconds);
    });

    it('answers no record for a key never claimed', async () => {
      // Act
      const record = await store.get?.(fresh());

      // Assert
      expect(record).toBeUndefined();
    });
  });

  describe('results', () => {
    it.each([
      ['undefined', undefined, { kind: 'undefined' }],
      ['a small object, as JSON text', { receipt: 'r-1' }, { kind: 'json' }],
      ['a result above compressAboveBytes, gzipped', { text: 'x'.repeat(5_000) }, { kind: 'gzip' }],
    ])('stores %s and gives it back equal', async (_case, result, stored) => {
      // Arrange
      const id = fresh();
      const claim = await claimOf(store, request(id, startMs));

      // Act
      const completed = await store.complete(claim, result);
      const record = await store.get?.(id);

      // Assert
      expect(completed).toEqual({ kind: 'completed', resultStored: true });
      expect(record?.result).toMatchObject(stored);
      expect(parseStoredResult(record?.result as Parameters<typeof parseStoredResult>[0], id)).toEqual(result);
    });

    it.each([
      ['larger than maxStoredResultBytes after compression', { noise: Array.from({ length: 4_000 }, (_, index) => (index * 7919) % 10_007) }],
      ['not JSON-serialisable', { amount: 10n }],
    ])('records a result %s as not stored, and completes', async (_case, result) => {
      // Arrange
      const limited = backend.open({ compressAboveBytes: 100, maxStoredResultBytes: 2_000 });
      const id = fresh();
      const claim = await claimOf(limited, request(id, startMs));

      // Act
      const completed = await limited.complete(claim, result);
      const record = await limited.get?.(id);

      // Assert
      expect(completed).toEqual({ kind: 'completed', resultStored: false });
      expect(record).toMatchObject({ status: 'COMPLETED', result: { kind: 'not-stored' } });
    });
  });

  describe('through the lifecycle', () => {
    it.each(adapters)('runs each of 100 keys exactly once under 10 concurrent duplicates each, through the %s', async (adapterName, wrap) => {
      // Arrange
      const executions = new Map<string, number>();
      let openGate: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (openGate = resolve));
      const handler = wrap(
        async (event: { orderId: string }) => {
          executions.set(event.orderId, (executions.get(event.orderId) ?? 0) + 1);
          await gate;
          return { orderId: event.orderId };
        },
        { store, key: (event) => event.orderId, namespace: `conformance-concurrency-${adapterName}` },
      );
      const keys = Array.from({ length: 100 }, () => fresh());
      let settled = 0;

      // Act
      const calls = keys.flatMap((orderId) =>
        Array.from({ length: 10 }, () =>
          handler({ orderId }, createLambdaContext()).then(
            (value) => ({ value }),
            (error: unknown) => ({ error }),
          ),
        ),
      );
      for (const call of calls) void call.then(() => (settled += 1));
      // Every holder waits at the gate, so each of the other 900 calls has met an IN_PROGRESS record.
      await waitFor(() => executions.size === 100 && settled === 900);
      openGate();
      const answers = await Promise.all(calls);
      const replays = await Promise.all(keys.map((orderId) => handler({ orderId }, createLambdaContext())));

      // Assert
      expect([...executions.values()].every((count) => count === 1)).toBe(true);
      expect(answers.filter((answer) => 'error' in answer && answer.error instanceof IdempotencyInProgressError)).toHaveLength(900);
      expect(answers.filter((answer) => 'value' in answer)).toHaveLength(100);
      expect(replays).toEqual(keys.map((orderId) => ({ orderId })));
    });

    it('lets a second invocation take over an expired lease, and fences the first one’s completion', async () => {
      // Arrange
      let nowMs = startMs;
      const outcomes: IdempotencyOutcome['type'][] = [];
      const gates = createGates();
      let runs = 0;
      const handler = middy(async () => {
        const run = ++runs;
        await gates.wait();
        return `run ${run}`;
      }).use(idempotency({ store, key: (event: { id: string }) => event.id, now: () => nowMs, onOutcome: (o) => outcomes.push(o.type) }));
      const event = { id: fresh() };

      // Act
      const { stale, takeover } = await takeOverExpiredLease(
        (context) => handler(event, context),
        gates,
        () => (nowMs += staleLeaseMs + 1),
      );
      const replay = await handler(event, createLambdaContext());

      // Assert
      expect([stale, takeover, replay]).toEqual(['run 1', 'run 2', 'run 2']);
      expect(outcomes).toEqual(['claimed', 'claimed', 'completed', 'lease-lost', 'replayed']);
    });

    it('replays for expiresAfterSeconds after completion, then runs again', async () => {
      // Arrange
      let nowMs = startMs;
      let runs = 0;
      const handler = makeIdempotent(async (_event: { key: string }) => ({ run: ++runs }), {
        store,
        key: (event) => event.key,
        namespace: 'conformance-retention',
        expiresAfterSeconds: 300,
        now: () => nowMs,
      });
      const key = fresh();

      // Act
      const first = await handler({ key });
      nowMs = startMs + 299_000;
      const withinRetention = await handler({ key });
      nowMs = Math.ceil(startMs / 1000) * 1000 + 300_000;
      const afterRetention = await handler({ key });

      // Assert
      expect([first, withinRetention, afterRetention]).toEqual([{ run: 1 }, { run: 1 }, { run: 2 }]);
    });

    it('uses the fallback lease when there is no context or it reports 0 ms left', async () => {
      // Arrange
      let started = 0;
      const hang = makeIdempotent(
        async (_event: { id: string }, _context?: unknown) => {
          started += 1;
          return new Promise(() => undefined);
        },
        { store, key: (event) => event.id, namespace: 'conformance-hang', fallbackLeaseSeconds: 45, now: () => startMs },
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

    it('answers a redelivered SQS batch without running a completed message again, whether the store reads ahead or not', async () => {
      // Arrange
      const runs = new Map<string, number>();
      const handler = createSqsBatchHandler(
        async (record: SQSRecord) => {
          runs.set(record.messageId, (runs.get(record.messageId) ?? 0) + 1);
          if (record.messageId.endsWith('-declined') && (runs.get(record.messageId) ?? 0) === 1) throw new Error('declined');
        },
        { store },
      );
      const records = [fresh(), fresh(), `${fresh()}-declined`].map((messageId) => createSqsRecord(messageId));
      const first = await handler(createSqsEvent(records), createLambdaContext());

      // Act
      const redelivered = await handler(createSqsEvent(records.map(redeliverSqsRecord)), createLambdaContext());

      // Assert
      expect(failedMessageIds(first)).toEqual([records[2]!.messageId]);
      expect(failedMessageIds(redelivered)).toEqual([]);
      expect(records.map(({ messageId }) => runs.get(messageId))).toEqual([1, 1, 2]);
    });
  });
});
