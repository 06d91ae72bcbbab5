import type { Clock } from './clock.js';
import { earlyTimeoutMsOf } from './middy-timeout.js';
import type { LambdaContextLike } from './options.js';
import { fingerprintsDiffer, isClaimable, RecordStatus, type IdempotencyRecord } from './record.js';
import type { ClaimResult, IdempotencyStore } from './store/store.js';

/** The first pause between two reads of a key in progress, in ms; it doubles after each read. */
export const firstPollDelayMs = 25;
/** The longest pause between two reads of a key in progress, in ms. */
export const maxPollDelayMs = 250;
/** The part of the invocation's remaining time a wait leaves to answer, in ms. */
export const answerMarginMs = 1_000;

/** Pauses for `ms` milliseconds. */
export type Sleep = (ms: number) => Promise<void>;

/** The real pause; tests of the loop alone may pass their own. */
export const timerSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a wait needs: the store's read, one more claim exactly as a first call makes it, and time. */
export interface InProgressWaitSteps {
  readonly read: () => Promise<IdempotencyRecord | undefined>;
  readonly claim: () => Promise<ClaimResult>;
  readonly now: Clock;
  readonly sleep: Sleep;
}

/** How a wait ended: the claim it made or the record that still holds the key, with its cost. */
export interface InProgressWaitResult {
  readonly answer: ClaimResult;
  readonly waitedMs: number;
  /** Store calls the wait made (reads and claims), beyond the first claim. */
  readonly storeCalls: number;
}

/** What {@link claimOrWait} needs: the invocation's claim, the store to read while it waits, and the wait's bounds. */
export interface ClaimOrWaitRequest {
  readonly id: string;
  readonly fingerprintHash: string | undefined;
  /** Claims the key at a clock reading, as a first call does. */
  readonly claimAt: (claimMs: number) => Promise<ClaimResult>;
  readonly store: Pick<IdempotencyStore, 'get'>;
  readonly waitForInProgressMs: number;
  readonly context: LambdaContextLike | undefined;
  readonly startedMs: number;
  readonly now: Clock;
}

/**
 * Claims the key; when another call holds it for the same payload and `waitForInProgressMs` is above 0, waits for that
 * call ({@link waitForInProgress}) until {@link waitDeadlineMs}. Without a wait the answer carries no wait figures.
 * @throws {IdempotencyStoreError | IdempotencyRecordCorruptError} as the store throws them.
 */
export async function claimOrWait(request: ClaimOrWaitRequest): Promise<{ answer: ClaimResult } | InProgressWaitResult> {
  const { claimAt, fingerprintHash, startedMs, now } = request;
  const first = await claimAt(startedMs);
  if (first.kind === 'claimed' || request.waitForInProgressMs === 0 || !isWorthWaitingFor(first.record, fingerprintHash)) return { answer: first };
  const deadlineMs = waitDeadlineMs(startedMs, request.waitForInProgressMs, request.context);
  // Options refuse a wait over a store without `get`, so it is there whenever a wait is asked for.
  const read = () => (request.store.get as NonNullable<IdempotencyStore['get']>)(request.id);
  // A waiting duplicate holds nothing: it only reads, and claims the key exactly as a first call once it is free.
  return waitForInProgress(first.record, fingerprintHash, deadlineMs, { read, claim: () => claimAt(now()), now, sleep: timerSleep });
}

/**
 * The instant a wait must end, in the clock's epoch ms: `waitForInProgressMs` from `startedMs`, and never later than the
 * time the invocation has left to answer less {@link answerMarginMs}. That time is the Lambda's remaining time, less
 * Middy's early timeout when the invocation runs under `withIdempotencyTimeout()`: Middy answers then, so a wait
 * still polling would read for an invocation that has already answered.
 */
export function waitDeadlineMs(startedMs: number, waitForInProgressMs: number, context: LambdaContextLike | undefined): number {
  const remainingMs = context?.getRemainingTimeInMillis?.() ?? 0;
  const answerableMs = remainingMs - earlyTimeoutMsOf(context);
  const budgetMs = remainingMs > 0 ? Math.min(waitForInProgressMs, answerableMs - answerMarginMs) : waitForInProgressMs;
  return startedMs + Math.max(0, budgetMs);
}

/** True when a duplicate may wait for `record`: the key is in progress for the same payload (another payload is answered at once). */
export function isWorthWaitingFor(record: IdempotencyRecord, fingerprintHash: string | undefined): boolean {
  return record.status === RecordStatus.InProgress && !fingerprintsDiffer(record, fingerprintHash);
}

/**
 * Waits, holding nothing, until the record of a key in progress completes, goes (released, lease or retention over) or
 * the deadline passes (on the clock, or in time slept). Reads the record with backoff ({@link firstPollDelayMs} doubling
 * up to {@link maxPollDelayMs}), never sleeping past the deadline. When the key is free it claims it once, as a first call would; if another
 * duplicate won that claim, the wait goes on for the new holder. Store errors are thrown as they come.
 */
export async function waitForInProgress(
  held: IdempotencyRecord,
  fingerprintHash: string | undefined,
  deadlineMs: number,
  steps: InProgressWaitSteps,
): Promise<InProgressWaitResult> {
  const startedMs = steps.now();
  let answer: ClaimResult = { kind: 'held', record: held };
  let storeCalls = 0;
  let delayMs = firstPollDelayMs;
  let sleptMs = 0;
  while (answer.kind === 'held' && isWorthWaitingFor(answer.record, fingerprintHash)) {
    // The time slept counts too, so a clock that stands still (an injected one) cannot make the wait endless.
    const leftMs = deadlineMs - Math.max(steps.now(), startedMs + sleptMs);
    if (leftMs <= 0) break;
    const pauseMs = Math.min(delayMs, leftMs);
    await steps.sleep(pauseMs);
    sleptMs += pauseMs;
    delayMs = Math.min(delayMs * 2, maxPollDelayMs);
    storeCalls += 1;
    const record = await steps.read();
    if (record !== undefined && !isClaimable(record, steps.now())) {
      answer = { kind: 'held', record };
      continue;
    }
    storeCalls += 1;
    answer = await steps.claim();
  }
  return { answer, waitedMs: steps.now() - startedMs, storeCalls };
}
