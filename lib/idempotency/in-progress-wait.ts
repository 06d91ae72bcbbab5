import type { Clock } from './clock.js';
import type { LambdaContextLike } from './options.js';
import { fingerprintsDiffer, isLeaseExpired, isRecordExpired, RecordStatus, type IdempotencyRecord } from './record.js';
import type { ClaimResult } from './store/store.js';

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

/**
 * The instant a wait must end, in the clock's epoch ms: `waitForInProgressMs` from `startedMs`, and never later than the
 * invocation's remaining time less {@link answerMarginMs}, so the duplicate still has time to answer.
 */
export function waitDeadlineMs(startedMs: number, waitForInProgressMs: number, context: LambdaContextLike | undefined): number {
  const remainingMs = context?.getRemainingTimeInMillis?.() ?? 0;
  const budgetMs = remainingMs > 0 ? Math.min(waitForInProgressMs, remainingMs - answerMarginMs) : waitForInProgressMs;
  return startedMs + Math.max(0, budgetMs);
}

/** True when a duplicate may wait for `record`: the key is in progress for the same payload (another payload is answered at once). */
export function isWorthWaitingFor(record: IdempotencyRecord, fingerprintHash: string | undefined): boolean {
  return record.status === RecordStatus.InProgress && !fingerprintsDiffer(record, fingerprintHash);
}

// Retention over (TTL has not deleted it yet) or lease over (its holder crashed or timed out): a claim may take it.
const isFree = (record: IdempotencyRecord, nowMs: number): boolean =>
  isRecordExpired(record, nowMs) || (record.status === RecordStatus.InProgress && isLeaseExpired(record, nowMs));

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
    if (record !== undefined && !isFree(record, steps.now())) {
      answer = { kind: 'held', record };
      continue;
    }
    storeCalls += 1;
    answer = await steps.claim();
  }
  return { answer, waitedMs: steps.now() - startedMs, storeCalls };
}
