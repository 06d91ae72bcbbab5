import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import {
  IdempotencyError,
  IdempotencyKeyError,
  IdempotencyLeaseLostError,
  IdempotencyRecordCorruptError,
  IdempotencyStoreError,
  IdempotencyTransactionUnsupportedError,
} from './errors.js';
import { cachedResult, identifyInvocation, isTransactionalStore, leaseMsFor } from './invocation.js';
import { createLocalCache } from './local-cache.js';
import { resolveIdempotencyOptions, type IdempotencyOptions, type LambdaContextLike } from './options.js';
import { resolveHeldRecord } from './held-record.js';
import { claimOrWait } from './in-progress-wait.js';
import { completedRecordReadAhead } from './read-ahead.js';
import type { BatchAhead } from './claim-ahead.js';
import type { IdempotencyOutcome } from './outcome.js';
import { RecordStatus } from './record.js';
import { toEpochSeconds } from './clock.js';
import { guardCallbacks } from './user-callbacks.js';
import type { Claim, ClaimRequest, CompleteResult, IdempotencyStore } from './store/store.js';
import type { DynamoDBStore } from './store/dynamodb-store.js';

/** What to do with one invocation: run the handler under a claim, replay a stored result, or run without idempotency. */
export type Begin<TResult> =
  | { readonly kind: 'run'; readonly claim: Claim }
  | { readonly kind: 'replay'; readonly result: TResult }
  | { readonly kind: 'skip' };

/** The three steps every adapter drives: begin before the handler, then finish on success or abort on error. */
export interface Lifecycle<TInput, TResult> {
  /** The store every phase uses, and `step` with it. */
  readonly store: IdempotencyStore;
  /**
   * Derives the key once (or takes the one a batch derived `ahead`), then replays, refuses or claims. With what a batch learned `ahead`: a claim made ahead for
   * this input runs under that claim; a COMPLETED record read ahead is replayed as its claim would have replayed it,
   * without the claim; a claim made ahead but not confirmed claims under its lease token.
   * @throws {IdempotencyKeyError | IdempotencyInProgressError | IdempotencyPayloadMismatchError | IdempotencyResultNotStoredError | IdempotencyRecordCorruptError | IdempotencyStoreError}
   */
  begin(input: TInput, context?: LambdaContextLike, ahead?: BatchAhead): Promise<Begin<TResult>>;
  /**
   * The claim request `begin` would make for `input` now, for a batch that reads or claims ahead; undefined when
   * `begin` would not claim (idempotency off, no key, a key `begin` refuses, or one the local cache replays). Never throws.
   */
  claimRequest(input: TInput, context?: LambdaContextLike): ClaimRequest | undefined;
  /** Stores a successful result (or releases the key when `shouldStore` says no). Never throws: the caller gets its result. */
  finish(claim: Claim, result: TResult): Promise<void>;
  /** Releases the key after the handler failed, so a retry can run. Never throws: the caller gets the handler's error. */
  abort(claim: Claim): Promise<void>;
  /**
   * Writes `writes` and completes `claim` with `result` in one transaction (only `writes` without a claim).
   * @throws {IdempotencyLeaseLostError} when the claim was taken over; nothing was written.
   * @throws {IdempotencyTransactionCanceledError} when the caller's items cancelled it; nothing was written.
   * @throws {IdempotencyTransactionUnsupportedError} when the store cannot join a DynamoDB transaction; nothing was written.
   * @throws {IdempotencyStoreError} when the store failed.
   */
  commit(claim: Claim | undefined, result: TResult, writes: readonly TransactWriteItem[], transact: TransactionWriter): Promise<void>;
}

/** Writes a transaction with a completion; passed in by `completeWithTransaction`, so only its users bundle it. */
export type TransactionWriter = (
  store: Pick<DynamoDBStore, 'client' | 'completionUpdate'>,
  claim: Claim | undefined,
  result: unknown,
  writes: readonly TransactWriteItem[],
) => Promise<CompleteResult>;

/** How an adapter shapes what it stores, e.g. the HTTP layer drops per-attempt headers. */
export interface LifecycleAdapter<TResult> {
  /** Turns a handler result into the value that is stored and replayed. @default the result itself */
  readonly storedForm?: (result: TResult) => unknown;
  /**
   * Builds how a completion is written from the validated store, e.g. a batch handler's that writes the completions
   * of records finishing together in one call; undefined keeps `store.complete`. @default the store's `complete`
   */
  readonly completeWith?: (store: IdempotencyStore) => IdempotencyStore['complete'] | undefined;
}

// JSON cannot represent a symbol, so every store records it as a result that was not stored.
const unstorableResult = Symbol('unstorable result');

const corruptRecordMessage = 'Idempotency record cannot be read; delete it to let the key run again';

/** The environment variable that turns idempotency off when it is `true`. */
export const disabledEnvironmentVariable = 'IDEMPOTENCY_DISABLED';

/**
 * Builds the claim → run → complete | release lifecycle from validated options. Adapters call this once, at construction.
 * @throws {TypeError} naming the first invalid option.
 */
export function createLifecycle<TInput, TResult>(
  options: IdempotencyOptions<TInput, TResult>,
  adapter: LifecycleAdapter<TResult> = {},
): Lifecycle<TInput, TResult> {
  const config = resolveIdempotencyOptions(options);
  const { store, now } = config;
  const storedForm = adapter.storedForm ?? ((result: TResult): unknown => result);
  // Called on the store, so that a store written as a class keeps its `this`.
  const complete: IdempotencyStore['complete'] = adapter.completeWith?.(store) ?? ((claim, result) => store.complete(claim, result));
  const cache = config.localCacheMaxEntries > 0 ? createLocalCache(config.localCacheMaxEntries) : undefined;
  // Called as `report?.(…)`: without an onOutcome the outcome object is never even built.
  const { log, report } = guardCallbacks(config.logger, config.onOutcome);
  const disabled = process.env[disabledEnvironmentVariable] === 'true';
  if (disabled) log(`Idempotency is off: ${disabledEnvironmentVariable}=true`, {});

  const timed = async <T>(call: () => Promise<T>) => {
    const startedMs = now();
    const value = await call();
    return { value, durationMs: now() - startedMs };
  };
  const reportStoreError = (recordId: string, startedMs: number, error: unknown) => {
    const corrupt = error instanceof IdempotencyRecordCorruptError;
    report?.({ type: corrupt ? 'corrupt' : 'store-error', recordId, durationMs: now() - startedMs, error });
    log(corrupt ? corruptRecordMessage : 'Idempotency store call failed', { recordId, error });
  };

  const isMissing = (clientKey: unknown) => clientKey === undefined || clientKey === null;
  // The stored key and fingerprint of `input`, or undefined when it runs without idempotency.
  const identify = (input: TInput, context: LambdaContextLike | undefined) => {
    const clientKey = disabled ? undefined : config.key(input, context);
    if (disabled || (isMissing(clientKey) && config.onMissingKey === 'skip')) return undefined;
    if (isMissing(clientKey)) throw new IdempotencyKeyError('missing', 'An idempotency key is required');
    return identifyInvocation(config, input, context, clientKey);
  };
  const requestAt = (identity: { id: string; fingerprintHash: string | undefined }, context: LambdaContextLike | undefined, claimMs: number): ClaimRequest => ({
    ...identity,
    nowMs: claimMs,
    leaseExpiresAtEpochMs: claimMs + leaseMsFor(context, config.fallbackLeaseSeconds),
    expiresAtEpochSeconds: toEpochSeconds(claimMs) + config.expiresAfterSeconds,
  });

  const claimRequest = (input: TInput, context?: LambdaContextLike): ClaimRequest | undefined => {
    try {
      const identity = identify(input, context);
      const nowMs = now();
      // A key the local cache holds is replayed from it, without a claim.
      return identity === undefined || cache?.get(identity.id, nowMs) !== undefined ? undefined : requestAt(identity, context, nowMs);
    } catch {
      // `begin` meets the same error and answers for it.
      return undefined;
    }
  };

  const begin = async (input: TInput, context?: LambdaContextLike, ahead?: BatchAhead): Promise<Begin<TResult>> => {
    const claimedAhead = ahead?.claims?.get(input);
    if (claimedAhead?.claim !== undefined) {
      report?.({ type: 'claimed', recordId: claimedAhead.claim.id, durationMs: 0 });
      return { kind: 'run', claim: claimedAhead.claim };
    }
    const prepared = ahead?.requests?.get(input);
    const identity = prepared === undefined ? identify(input, context) : { id: prepared.id, fingerprintHash: prepared.fingerprintHash };
    if (identity === undefined) {
      report?.({ type: 'skipped', durationMs: 0 });
      return { kind: 'skip' };
    }
    const { id, fingerprintHash } = identity;
    const nowMs = now();
    const cached = cache?.get(id, nowMs);
    if (cached !== undefined) return replayHeld({ ...cached, id, status: RecordStatus.Completed }, fingerprintHash, nowMs, { durationMs: 0, fromCache: true });
    const completed = completedRecordReadAhead(ahead?.records, id, nowMs);
    if (completed !== undefined) return replayHeld(completed, fingerprintHash, nowMs, { durationMs: 0, fromCache: false });
    // A claim made ahead but not confirmed may have been written: claiming under its token recognises that write.
    const token = claimedAhead === undefined ? {} : { leaseToken: claimedAhead.leaseToken };
    const claimAt = (claimMs: number) => store.claim({ ...requestAt(identity, context, claimMs), ...token });
    let answer;
    try {
      const { waitForInProgressMs } = config;
      answer = await timed(() => claimOrWait({ id, fingerprintHash, claimAt, store, waitForInProgressMs, context, startedMs: nowMs, now }));
    } catch (error) {
      reportStoreError(id, nowMs, error);
      throw error instanceof IdempotencyError ? error : new IdempotencyStoreError(`Claiming idempotency record ${id} failed`, { cause: error });
    }
    const { answer: claimed, ...waited } = answer.value;
    if (claimed.kind === 'held') return replayHeld(claimed.record, fingerprintHash, now(), { durationMs: answer.durationMs, ...waited, fromCache: false });
    // Built inside the call: without an onOutcome, a first call allocates no outcome.
    report?.({ type: 'claimed', recordId: id, durationMs: answer.durationMs, ...waited });
    return { kind: 'run', claim: claimed.claim };
  };

  const replayHeld = (
    record: Parameters<typeof resolveHeldRecord>[0],
    fingerprintHash: string | undefined,
    nowMs: number,
    reported: Pick<IdempotencyOutcome, 'durationMs' | 'fromCache' | 'waitedMs' | 'storeCalls'>,
  ): Begin<TResult> => {
    const resolution = resolveHeldRecord(record, fingerprintHash, nowMs);
    report?.({ type: resolution.outcome, recordId: record.id, ...reported });
    if (resolution.outcome === 'corrupt') log(corruptRecordMessage, { recordId: record.id, error: resolution.error });
    if (resolution.outcome !== 'replayed') throw resolution.error;
    if (!reported.fromCache && record.result !== undefined)
      cache?.set(record.id, { expiresAtEpochSeconds: record.expiresAtEpochSeconds, fingerprintHash: record.fingerprintHash, result: record.result });
    return { kind: 'replay', result: resolution.result as TResult };
  };

  const release = async (claim: Claim) => {
    const startedMs = now();
    try {
      const { value, durationMs } = await timed(() => store.release(claim));
      report?.({ type: value === 'done' ? 'released' : 'lease-lost', recordId: claim.id, durationMs });
    } catch (error) {
      // The key stays blocked until its lease ends: safe, since the handler's outcome is not replayed by anyone.
      reportStoreError(claim.id, startedMs, error);
    }
  };

  const recordCompletion = (claim: Claim, value: CompleteResult, stored: unknown, durationMs: number) => {
    if (value.kind === 'lease-lost') {
      report?.({ type: 'lease-lost', recordId: claim.id, durationMs });
      log('Idempotency lease was taken over before completion; the result was not stored', { recordId: claim.id });
      return;
    }
    report?.({ type: 'completed', recordId: claim.id, durationMs });
    cache?.set(claim.id, {
      expiresAtEpochSeconds: claim.expiresAtEpochSeconds,
      fingerprintHash: claim.fingerprintHash,
      result: cachedResult(stored, value.resultStored),
    });
  };

  // User code decides and shapes what is stored. If it throws, the completion records the result as not stored: the
  // caller still gets its result, the handler never runs twice, duplicates get IdempotencyResultNotStoredError.
  const toStored = (claimId: string | undefined, result: TResult, decide: boolean): { keep: boolean; stored: unknown } => {
    try {
      return decide && !config.shouldStore(result) ? { keep: false, stored: undefined } : { keep: true, stored: storedForm(result) };
    } catch (error) {
      log('shouldStore or the stored form threw; the result is recorded as not stored', { recordId: claimId, error });
      return { keep: true, stored: unstorableResult };
    }
  };

  // Retention counts from the completion, not the claim: a long handler must not eat into its own replay window.
  const retainedFromNow = (claim: Claim): Claim => ({ ...claim, expiresAtEpochSeconds: toEpochSeconds(now()) + config.expiresAfterSeconds });

  const finish = async (held: Claim, result: TResult) => {
    const { keep, stored } = toStored(held.id, result, true);
    if (!keep) return release(held);
    const startedMs = now();
    const claim = retainedFromNow(held);
    try {
      const { value, durationMs } = await timed(() => complete(claim, stored));
      recordCompletion(claim, value, stored, durationMs);
    } catch (error) {
      // The caller still gets its result; duplicates see IN_PROGRESS until the lease ends, never a second run before that.
      reportStoreError(claim.id, startedMs, error);
    }
  };

  const commit = async (held: Claim | undefined, result: TResult, writes: readonly TransactWriteItem[], transact: TransactionWriter) => {
    if (!isTransactionalStore(store)) throw new IdempotencyTransactionUnsupportedError();
    const startedMs = now();
    const claim = held === undefined ? undefined : retainedFromNow(held);
    const { stored } = toStored(claim?.id, result, false);
    let answer;
    try {
      answer = await timed(() => transact(store, claim, stored, writes));
    } catch (error) {
      if (claim !== undefined && error instanceof IdempotencyStoreError) reportStoreError(claim.id, startedMs, error);
      throw error;
    }
    if (claim === undefined) return;
    recordCompletion(claim, answer.value, stored, answer.durationMs);
    if (answer.value.kind === 'lease-lost') throw new IdempotencyLeaseLostError(claim.id);
  };

  return { store, begin, claimRequest, finish, abort: release, commit };
}
