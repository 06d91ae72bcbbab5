import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * The base of every error this library throws, so one `instanceof IdempotencyError` catches them all.
 *
 * @example
 * ```ts
 * import { IdempotencyError } from 'lambda-idempotency';
 * try { await chargeOnce(input); } catch (error) { if (error instanceof IdempotencyError) console.log(error.name); }
 * ```
 */
export class IdempotencyError extends Error {
  override readonly name: string = 'IdempotencyError';
}

/** Why a key was refused by {@link IdempotencyKeyError}. */
export type IdempotencyKeyProblem = 'missing' | 'invalid';

/** The idempotency key is missing (and `onMissingKey` is `'error'`) or is not a valid key. The client fixes the request. */
export class IdempotencyKeyError extends IdempotencyError {
  override readonly name = 'IdempotencyKeyError' as const;
  /** `'missing'` when no key was given, `'invalid'` when the key breaks the rules. */
  readonly problem: IdempotencyKeyProblem;
  constructor(problem: IdempotencyKeyProblem, message: string) {
    super(message);
    this.problem = problem;
  }
}

/** Another invocation holds the key right now; retry after {@link retryAfterSeconds}. */
export class IdempotencyInProgressError extends IdempotencyError {
  override readonly name = 'IdempotencyInProgressError' as const;
  /** Whole seconds until the other invocation's lease ends (at least 1). */
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super(`Another request with this idempotency key is in progress; retry after ${retryAfterSeconds} s`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The key was used before with a different payload; the stored result is never handed out for it. */
export class IdempotencyPayloadMismatchError extends IdempotencyError {
  override readonly name = 'IdempotencyPayloadMismatchError' as const;
  constructor() {
    super('This idempotency key was already used with a different payload');
  }
}

/** The idempotency store could not be read or written; `cause` holds the SDK error. The handler did not run on a claim failure. */
export class IdempotencyStoreError extends IdempotencyError {
  override readonly name = 'IdempotencyStoreError' as const;
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
  }
}

/**
 * The first request with this key completed, but its result could not be stored (too large for one item, or not
 * JSON-serialisable). Its caller got the result; duplicates get this error instead of a second execution.
 */
export class IdempotencyResultNotStoredError extends IdempotencyError {
  override readonly name = 'IdempotencyResultNotStoredError' as const;
  constructor() {
    super('The request with this idempotency key completed, but its result was not stored and cannot be replayed');
  }
}

/**
 * A stored idempotency record cannot be read: its result is not valid JSON or gzip or inflates beyond what a replay
 * decodes, its status, TTL or lease end is missing, or an attribute has a type this library never writes. Retrying
 * cannot help, and the handler does not run again on its own: an operator deletes the record `recordId` (the next
 * request with the key then runs the handler).
 */
export class IdempotencyRecordCorruptError extends IdempotencyError {
  override readonly name = 'IdempotencyRecordCorruptError' as const;
  /** The stored (hashed) key of the record, e.g. the value of the table's `id` attribute to delete. */
  readonly recordId: string;
  constructor(recordId: string, problem: string, options: { cause: unknown }) {
    super(`Idempotency record ${recordId} cannot be read: ${problem}`, options);
    this.recordId = recordId;
  }
}

/**
 * This invocation's lease ended and another invocation took the key over before a transactional completion or a
 * step's write: the fencing condition refused it, so none of its writes happened (a step's result was not stored).
 */
export class IdempotencyLeaseLostError extends IdempotencyError {
  override readonly name = 'IdempotencyLeaseLostError' as const;
  constructor(recordId: string) {
    super(`The lease on idempotency record ${recordId} was taken over by another invocation; nothing was written`);
  }
}

/**
 * `completeWithTransaction` was given a Lambda context that names more than one running claim (two Middy invocations
 * sharing one context, or a Middy handler running inside a wrapped call on the same context), so it cannot tell which
 * one to complete. Nothing was written: pass the Middy `request` instead, which names exactly one.
 */
export class IdempotencyClaimAmbiguousError extends IdempotencyError {
  override readonly name = 'IdempotencyClaimAmbiguousError' as const;
  /** How many running claims the object names. */
  readonly candidates: number;
  constructor(candidates: number) {
    super(`This object names ${candidates} running idempotency claims, so the one to complete is unknown; pass the Middy request instead; nothing was written`);
    this.candidates = candidates;
  }
}

/**
 * `completeWithTransaction` was called on a store that cannot join a DynamoDB transaction, such as the Redis store:
 * its records are not DynamoDB items, so no `TransactWriteItems` can write them together with yours. Nothing was
 * written. Write your items first and return the result (the adapter then completes the record), or use
 * `createDynamoDBStore`. Retrying cannot help.
 */
export class IdempotencyTransactionUnsupportedError extends IdempotencyError {
  override readonly name = 'IdempotencyTransactionUnsupportedError' as const;
  constructor() {
    super(
      'completeWithTransaction needs createDynamoDBStore: this store keeps its records outside DynamoDB, so no DynamoDB transaction can complete them; nothing was written',
    );
  }
}

/**
 * A step's result would make the steps of its record larger than {@link limitBytes}: it was not stored, and `step`
 * throws this although the step's side effect happened. A retry runs the step again with the same derived key, so
 * a downstream system that honours it answers as the first time. Return ids and statuses from steps, not documents.
 */
export class IdempotencyStepTooLargeError extends IdempotencyError {
  override readonly name = 'IdempotencyStepTooLargeError' as const;
  readonly stepName: string;
  /** The limit on one record's steps: names and JSON results in UTF-8 bytes, plus 2 bytes per step. */
  readonly limitBytes: number;
  /** What the record's steps would have taken with this one. */
  readonly sizeBytes: number;
  constructor(stepName: string, limitBytes: number, sizeBytes: number) {
    super(
      `The result of step "${stepName}" was not stored: a record's steps hold at most ${limitBytes} bytes (names and JSON results, 2 more per step), this one would make ${sizeBytes}`,
    );
    this.stepName = stepName;
    this.limitBytes = limitBytes;
    this.sizeBytes = sizeBytes;
  }
}

/** The idempotency store in use has no step support (no `saveStep`): `step` cannot store anything, so it runs nothing. */
export class IdempotencyStepsUnsupportedError extends IdempotencyError {
  override readonly name = 'IdempotencyStepsUnsupportedError' as const;
  constructor() {
    super('This idempotency store cannot store steps; use a store that implements saveStep, such as createDynamoDBStore');
  }
}

/** Why one of the caller's own items cancelled a transaction, as DynamoDB reported it. */
export interface TransactionCancellationReason {
  /** The item's position in the `writes` the caller passed. */
  readonly index: number;
  /** DynamoDB's code: always `ConditionalCheckFailed`, since any other reason is an {@link IdempotencyStoreError}. */
  readonly code: string;
  readonly message?: string;
  /** The item as it was, in attribute-value form, when the write asked for `ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`. */
  readonly item?: Record<string, AttributeValue>;
}

/**
 * A transactional completion was cancelled by the conditions of the caller's own items; nothing was written. A
 * cancellation for any other reason (throttling, `TransactionConflict`, capacity) is an {@link IdempotencyStoreError}
 * instead: it may pass on a retry, and the key is released for it.
 */
export class IdempotencyTransactionCanceledError extends IdempotencyError {
  override readonly name = 'IdempotencyTransactionCanceledError' as const;
  /** One entry per item that cancelled the transaction, in the caller's order. */
  readonly reasons: readonly TransactionCancellationReason[];
  constructor(reasons: readonly TransactionCancellationReason[], options: { cause: unknown }) {
    super(`The transaction was cancelled by ${reasons.map((reason) => `item ${reason.index} (${reason.code})`).join(', ')}; nothing was written`, options);
    this.reasons = reasons;
  }
}

/** True when `error` is any error of this library. */
export const isIdempotencyError = (error: unknown): error is IdempotencyError => error instanceof IdempotencyError;
/** True when `error` is an {@link IdempotencyKeyError}. */
export const isIdempotencyKeyError = (error: unknown): error is IdempotencyKeyError => error instanceof IdempotencyKeyError;
/** True when `error` is an {@link IdempotencyInProgressError}. */
export const isIdempotencyInProgressError = (error: unknown): error is IdempotencyInProgressError => error instanceof IdempotencyInProgressError;
/** True when `error` is an {@link IdempotencyPayloadMismatchError}. */
export const isIdempotencyPayloadMismatchError = (error: unknown): error is IdempotencyPayloadMismatchError => error instanceof IdempotencyPayloadMismatchError;
/** True when `error` is an {@link IdempotencyStoreError}. */
export const isIdempotencyStoreError = (error: unknown): error is IdempotencyStoreError => error instanceof IdempotencyStoreError;
/** True when `error` is an {@link IdempotencyResultNotStoredError}. */
export const isIdempotencyResultNotStoredError = (error: unknown): error is IdempotencyResultNotStoredError => error instanceof IdempotencyResultNotStoredError;
/** True when `error` is an {@link IdempotencyRecordCorruptError}. */
export const isIdempotencyRecordCorruptError = (error: unknown): error is IdempotencyRecordCorruptError => error instanceof IdempotencyRecordCorruptError;
/** True when `error` is an {@link IdempotencyLeaseLostError}. */
export const isIdempotencyLeaseLostError = (error: unknown): error is IdempotencyLeaseLostError => error instanceof IdempotencyLeaseLostError;
/** True when `error` is an {@link IdempotencyTransactionCanceledError}. */
export const isIdempotencyTransactionCanceledError = (error: unknown): error is IdempotencyTransactionCanceledError =>
  error instanceof IdempotencyTransactionCanceledError;
/** True when `error` is an {@link IdempotencyClaimAmbiguousError}. */
export const isIdempotencyClaimAmbiguousError = (error: unknown): error is IdempotencyClaimAmbiguousError => error instanceof IdempotencyClaimAmbiguousError;
/** True when `error` is an {@link IdempotencyTransactionUnsupportedError}. */
export const isIdempotencyTransactionUnsupportedError = (error: unknown): error is IdempotencyTransactionUnsupportedError =>
  error instanceof IdempotencyTransactionUnsupportedError;
/** True when `error` is an {@link IdempotencyStepTooLargeError}. */
export const isIdempotencyStepTooLargeError = (error: unknown): error is IdempotencyStepTooLargeError => error instanceof IdempotencyStepTooLargeError;
/** True when `error` is an {@link IdempotencyStepsUnsupportedError}. */
export const isIdempotencyStepsUnsupportedError = (error: unknown): error is IdempotencyStepsUnsupportedError =>
  error instanceof IdempotencyStepsUnsupportedError;
