/** What happened at one step of an invocation, as reported to `onOutcome`. */
export type IdempotencyOutcomeType =
  /** The key was free and this invocation now holds it; the handler runs. */
  | 'claimed'
  /** A completed result was returned without running the handler. */
  | 'replayed'
  /** Another invocation holds the key. */
  | 'in-progress'
  /** The key was used with another payload. */
  | 'mismatch'
  /** The key completed, but its result was not stored. */
  | 'not-stored'
  /** The stored record cannot be read (`IdempotencyRecordCorruptError`); an operator deletes it. */
  | 'corrupt'
  /** The handler's result was stored. */
  | 'completed'
  /** The claim was deleted after an error or a result not to store. */
  | 'released'
  /** The lease had ended and another invocation took the key over; this invocation's write was refused. */
  | 'lease-lost'
  /** The store failed; `error` holds the cause. */
  | 'store-error'
  /** Idempotency did not apply: switched off, or no key with `onMissingKey: 'skip'`. */
  | 'skipped';

/** One report to `onOutcome`. */
export interface IdempotencyOutcome {
  readonly type: IdempotencyOutcomeType;
  /** The stored (hashed) key, when one was derived. */
  readonly recordId?: string;
  /** Milliseconds the store call took (0 when none was made), including any wait for a key in progress. */
  readonly durationMs: number;
  /** True when a replay came from the local cache. */
  readonly fromCache?: boolean;
  /** Milliseconds a duplicate waited for a key in progress (`waitForInProgressMs`); absent when it did not wait. */
  readonly waitedMs?: number;
  /** Store calls the wait cost beyond the first claim: one consistent read per poll, one claim per free key. Absent without a wait. */
  readonly storeCalls?: number;
  /** The store error, for `store-error`. */
  readonly error?: unknown;
}
