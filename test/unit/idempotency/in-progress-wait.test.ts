import { describe, expect, it } from '@jest/globals';
import { withIdempotencyTimeout, type MiddyTimeoutPlugin } from '../../../lib/idempotency/index.js';
import {
  answerMarginMs,
  firstPollDelayMs,
  maxPollDelayMs,
  waitDeadlineMs,
  waitForInProgress,
  type InProgressWaitSteps,
} from '../../../lib/idempotency/in-progress-wait.js';
import { RecordStatus, type IdempotencyRecord } from '../../../lib/idempotency/record.js';
import type { ClaimResult } from '../../../lib/idempotency/store/store.js';
import { createLambdaContext } from '../../support/lambda-context.js';

// The poll loop alone, over an injected clock and sleep: a sleep moves the clock by what it was asked, nothing runs on
// real time, and every read and claim is scripted.
const startMs = 1_700_000_000_000;
const inProgress = (overrides: Partial<IdempotencyRecord> = {}): IdempotencyRecord => ({
  id: 'record',
  status: RecordStatus.InProgress,
  expiresAtEpochSeconds: startMs / 1_000 + 86_400,
  leaseExpiresAtEpochMs: startMs + 600_000,
  leaseToken: 'first',
  ...overrides,
});
const completed = (): IdempotencyRecord => ({ ...inProgress(), status: RecordStatus.Completed, result: { kind: 'json', json: '1' } });
const claimed: ClaimResult = {
  kind: 'claimed',
  claim: { id: 'record', leaseToken: 'ours', leaseExpiresAtEpochMs: startMs + 600_000, expiresAtEpochSeconds: startMs / 1_000 + 86_400 },
};

/** Steps whose reads answer `records` in turn (the last one repeats) and whose claims answer `claims` in turn. */
function scriptedSteps(records: ReadonlyArray<IdempotencyRecord | undefined>, claims: readonly ClaimResult[] = [claimed]) {
  let clockMs = startMs;
  const log = { sleeps: [] as number[], reads: 0, claims: 0 };
  const steps: InProgressWaitSteps = {
    now: () => clockMs,
    sleep: async (ms) => {
      log.sleeps.push(ms);
      clockMs += ms;
    },
    read: async () => records[Math.min(log.reads++, records.length - 1)],
    claim: async () => claims[Math.min(log.claims++, claims.length - 1)] as ClaimResult,
  };
  return { steps, log, advance: (ms: number) => (clockMs += ms) };
}

describe('waitForInProgress', () => {
  it('backs off from 25 ms, doubling to 250 ms, never sleeping past the deadline, one read per poll', async () => {
    // Arrange
    const { steps, log } = scriptedSteps([inProgress()]);

    // Act
    const result = await waitForInProgress(inProgress(), undefined, startMs + 1_000, steps);

    // Assert
    expect([firstPollDelayMs, maxPollDelayMs]).toEqual([25, 250]);
    expect(log.sleeps).toEqual([25, 50, 100, 200, 250, 250, 125]);
    expect(log.reads).toBe(log.sleeps.length);
    expect(log.claims).toBe(0);
    expect(result).toEqual({ answer: { kind: 'held', record: inProgress() }, waitedMs: 1_000, storeCalls: 7 });
  });

  it('ends on the first read that finds the record completed, without claiming', async () => {
    const { steps, log } = scriptedSteps([inProgress(), inProgress(), completed()]);

    const result = await waitForInProgress(inProgress(), undefined, startMs + 60_000, steps);

    expect(log.sleeps).toEqual([25, 50, 100]);
    expect(result).toEqual({ answer: { kind: 'held', record: completed() }, waitedMs: 175, storeCalls: 3 });
  });

  it.each([
    ['the first call released the key (the record is gone)', undefined],
    ['the lease ended (the first call crashed)', inProgress({ leaseExpiresAtEpochMs: startMs + 50 })],
    ['the retention ended (TTL has not deleted the record yet)', inProgress({ expiresAtEpochSeconds: startMs / 1_000 })],
  ])('claims the key once, as a first call, when %s', async (_case, record) => {
    const { steps, log } = scriptedSteps([inProgress(), record]);

    const result = await waitForInProgress(inProgress(), undefined, startMs + 60_000, steps);

    expect(log).toEqual({ sleeps: [25, 50], reads: 2, claims: 1 });
    expect(result).toEqual({ answer: claimed, waitedMs: 75, storeCalls: 3 });
  });

  it('waits on for a new holder when another duplicate won the claim, and replays its completion', async () => {
    const { steps, log } = scriptedSteps([undefined, completed()], [{ kind: 'held', record: inProgress({ leaseToken: 'other' }) }]);

    const result = await waitForInProgress(inProgress(), undefined, startMs + 60_000, steps);

    expect(log).toEqual({ sleeps: [25, 50], reads: 2, claims: 1 });
    expect(result.answer).toEqual({ kind: 'held', record: completed() });
    expect(result.storeCalls).toBe(3);
  });

  it('stops at once, without another read, when a read finds another payload holding the key', async () => {
    const { steps, log } = scriptedSteps([inProgress({ fingerprintHash: 'other' })]);

    const result = await waitForInProgress(inProgress({ fingerprintHash: 'ours' }), 'ours', startMs + 60_000, steps);

    expect(log).toEqual({ sleeps: [25], reads: 1, claims: 0 });
    expect(result.answer).toEqual({ kind: 'held', record: inProgress({ fingerprintHash: 'other' }) });
  });

  it('makes no read when the deadline has passed before the first poll', async () => {
    const { steps, log } = scriptedSteps([completed()]);

    const result = await waitForInProgress(inProgress(), undefined, startMs, steps);

    expect(log).toEqual({ sleeps: [], reads: 0, claims: 0 });
    expect(result).toEqual({ answer: { kind: 'held', record: inProgress() }, waitedMs: 0, storeCalls: 0 });
  });

  it('ends when the clock passes the deadline during a poll, the read in flight being the last', async () => {
    const { steps, log, advance } = scriptedSteps([inProgress()]);
    const read = steps.read;
    const result = await waitForInProgress(inProgress(), undefined, startMs + 60_000, {
      ...steps,
      read: async () => {
        if (log.reads === 2) advance(60_000);
        return read();
      },
    });

    expect(log.reads).toBe(3);
    expect(result.answer.kind).toBe('held');
  });

  it('ends by the time slept when the clock stands still', async () => {
    const { steps, log } = scriptedSteps([inProgress()]);

    await waitForInProgress(inProgress(), undefined, startMs + 500, { ...steps, sleep: async (ms) => void log.sleeps.push(ms) });

    expect(log.sleeps).toEqual([25, 50, 100, 200, 125]);
    expect(log.reads).toBe(5);
  });
});

describe('waitDeadlineMs', () => {
  it.each([
    ['no context: the option alone', undefined, 5_000, 5_000],
    ['a context reporting 0 ms (no deadline known): the option alone', 0, 5_000, 5_000],
    ['plenty of time left: the option', 600_000, 5_000, 5_000],
    ['3 s left: the remaining time less the 1 s margin', 3_000, 5_000, 2_000],
    ['800 ms left: no wait', 800, 5_000, 0],
  ])('%s', (_case, remainingMs, waitForInProgressMs, budgetMs) => {
    const context = remainingMs === undefined ? undefined : createLambdaContext({ remainingMs });

    expect(answerMarginMs).toBe(1_000);
    expect(waitDeadlineMs(startMs, waitForInProgressMs, context)).toBe(startMs + budgetMs);
  });

  it("ends before Middy's early timeout when the invocation runs under withIdempotencyTimeout, for its own context only", async () => {
    const plugin = withIdempotencyTimeout<MiddyTimeoutPlugin>({ timeoutEarlyInMillis: 2_000 });
    const context = createLambdaContext({ remainingMs: 10_000 });
    const otherContext = createLambdaContext({ remainingMs: 10_000 });

    // Run as Middy runs an invocation: requestStart, then the middlewares, in the invocation's own async context.
    const [own, other] = await new Promise<number[]>((resolve) =>
      setImmediate(() => {
        plugin.requestStart?.({ context });
        resolve([waitDeadlineMs(startMs, 60_000, context), waitDeadlineMs(startMs, 60_000, otherContext)]);
      }),
    );

    expect(own).toBe(startMs + 10_000 - 2_000 - 1_000);
    expect(other).toBe(startMs + 10_000 - 1_000);
  });
});
