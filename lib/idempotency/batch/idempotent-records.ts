import type { Context } from 'aws-lambda';
import { isIdempotencyResultNotStoredError } from '../errors.js';
import { requireBoolean, requireFunction, requirePositiveInteger } from '../option-checks.js';
import type { IdempotencyOptions } from '../options.js';
import { createLifecycle } from '../lifecycle.js';
import type { ReadAhead } from '../read-ahead.js';
import type { BatchAhead, ClaimRequests, ClaimsAhead } from '../claim-ahead.js';
import { guardCallbacks } from '../user-callbacks.js';
import { createReadAhead } from './read-ahead.js';
import { createClaimAhead } from './claim-ahead.js';
import { createCompletionBatch } from './completion-batch.js';
import type { BatchPlan } from './run-in-lanes.js';
import { runIdempotently } from '../wrapper.js';
import type { ClaimRequest } from '../store/store.js';

/** Handles one record of a batch; its result is stored, and a throw makes the record a batch item failure. */
export type BatchRecordHandler<TRecord, TResult> = (record: TRecord, context: Context) => Promise<TResult> | TResult;

/** Options of a batch handler, beyond those of `idempotency()`: how many records run at once, and how they complete. */
export interface BatchConcurrencyOptions {
  /**
   * How many records of one batch run at once, a positive integer. Records that must keep their order (a FIFO
   * message group, a shard) or that share a key still run one after another. @default 100: every record of a batch of
   * up to 100 runs at once, and a larger batch (up to 10,000 with a batching window) keeps 100 in flight. The AWS SDK's
   * client sends 50 at a time by default and queues the rest, which keeps its sockets busy while records get ready
   */
  maxConcurrency?: number;
  /**
   * Completes the records whose handlers return in the same turn of the event loop in one store call: fenced PartiQL
   * `UPDATE`s, 25 per `BatchExecuteStatement`, on DynamoDB. A record that finishes alone, and a completion the call
   * does not confirm, completes with its own `UpdateItem`. Needs `dynamodb:PartiQLUpdate` (`IdempotencyTable.grantTo`
   * grants it); a failed call logs one line and costs only that call. Stores without `completeMany` (the Redis store)
   * ignore it. @default true
   */
  completeTogether?: boolean;
}

/** The default values of {@link BatchConcurrencyOptions}. */
export const batchConcurrencyDefaults = { maxConcurrency: 100, completeTogether: true } as const;

/** A record with its client key, read once, before the record is scheduled, so that duplicates can share a lane. */
export interface KeyedRecord<TRecord> {
  readonly record: TRecord;
  /** The lane of the record's key; undefined when it has no usable key (the lifecycle then answers for it). */
  readonly keyLane: string | undefined;
  readonly readKey: () => unknown;
}

/** Runs records once per key, for a batch handler. */
export interface IdempotentRecords<TRecord> {
  /** Reads the record's key (a throw is kept, and thrown again when the record runs). */
  keyRecord(record: TRecord, context: Context): KeyedRecord<TRecord>;
  /**
   * Reads the records of `keyed` (expected to be duplicates, e.g. redelivered) in one store call, for `planFor`.
   * Never throws: what it cannot read, the records' claims meet.
   */
  readAhead(keyed: readonly KeyedRecord<TRecord>[], requests: ClaimRequests): Promise<ReadAhead>;
  /**
   * Claims the keys of a batch's records that are `eligible` (expected to be new, e.g. first deliveries) in one store
   * call, for `planFor`; a key only for its first record in the batch. Never throws: what it cannot claim, the records
   * claim on their own.
   */
  claimAhead(keyed: readonly KeyedRecord<TRecord>[], requests: ClaimRequests, eligible: (keyed: KeyedRecord<TRecord>) => boolean): Promise<ClaimsAhead>;
  /**
   * The claim request of each record of a batch that its run would claim, derived once for the batch: for the reads
   * and claims ahead, and for `planFor`, so that no record's key and fingerprint are derived twice.
   */
  claimRequests(keyed: readonly KeyedRecord<TRecord>[], context: Context): ClaimRequests;
  /**
   * How to run the records of one invocation: each under its own claim (a claim made `ahead` for it, or its own; a
   * completed record read `ahead` is replayed without one), one after another when they share a key, at most
   * `maxConcurrency` at once. A record's run resolves when it succeeded or was a duplicate, and rejects with why it failed.
   */
  planFor<TItem extends KeyedRecord<TRecord>>(context: Context, ahead?: BatchAhead): BatchPlan<TItem>;
}

type RecordOptions<TRecord, TResult> = IdempotencyOptions<TRecord, TResult> & BatchConcurrencyOptions & { namespace: string };

/**
 * Builds the per-record lifecycle of a batch handler: `makeIdempotent`'s run over the record handler, with the key read
 * before scheduling. Each record's handler gets a context of its own (inheriting every property of the Lambda context)
 * with the record's claim bound to it, so `completeWithTransaction(context, …)` and `step(context, …)` in a record
 * handler reach that record's claim while the other records of the batch run beside it, and no `AsyncLocalStorage`
 * (whose promise hooks would slow every promise of the process) is needed.
 * @throws {TypeError} naming an invalid option.
 */
export function createIdempotentRecords<TRecord, TResult>(
  recordHandler: BatchRecordHandler<TRecord, TResult>,
  options: RecordOptions<TRecord, TResult>,
): IdempotentRecords<TRecord> {
  requireFunction('recordHandler', recordHandler, false);
  requireFunction('key', options.key, false);
  const maxConcurrency = options.maxConcurrency ?? batchConcurrencyDefaults.maxConcurrency;
  requirePositiveInteger('maxConcurrency', maxConcurrency);
  const completeTogether = options.completeTogether ?? batchConcurrencyDefaults.completeTogether;
  requireBoolean('completeTogether', completeTogether);
  const { key, fingerprint, scope, maxConcurrency: _bound, completeTogether: _together, ...shared } = options;
  const keyedOptions: IdempotencyOptions<KeyedRecord<TRecord>, TResult> & { namespace: string } = {
    ...shared,
    key: (keyed) => keyed.readKey(),
    // Left as given when not functions, so that validation names them.
    fingerprint: typeof fingerprint === 'function' ? (keyed) => fingerprint(keyed.record) : (fingerprint as undefined),
    scope: typeof scope === 'function' ? (keyed, context) => scope(keyed.record, context) : (scope as undefined),
  };
  const { log } = guardCallbacks(options.logger, undefined);
  const lifecycle = createLifecycle(keyedOptions, { completeWith: completeTogether ? (store) => createCompletionBatch(store, log) : undefined });
  return {
    keyRecord: (record, context) => {
      try {
        const value = key(record, context);
        return { record, keyLane: typeof value === 'string' ? value : undefined, readKey: () => value };
      } catch (error) {
        return {
          record,
          keyLane: undefined,
          readKey: () => {
            throw error;
          },
        };
      }
    },
    readAhead: createReadAhead(lifecycle.store, log),
    claimAhead: createClaimAhead(lifecycle.store, log),
    claimRequests: (keyed, context) => {
      const requests = new Map<unknown, ClaimRequest>();
      for (const item of keyed) {
        const request = lifecycle.claimRequest(item, context);
        if (request !== undefined) requests.set(item, request);
      }
      return requests;
    },
    planFor: (context, ahead) => ({
      maxConcurrency,
      keyLaneOf: (keyed) => keyed.keyLane,
      processRecord: (keyed) => {
        // The record's own context: the Lambda context's properties, own (so it spreads and serialises as the original
        // does) and inherited (so its accessors keep acting on the original), with the record's claim bound to it.
        const recordContext: Context = Object.assign(Object.create(context), context);
        const call = () => recordHandler(keyed.record, recordContext);
        // Nobody reads a record's result: a duplicate of a record that completed without storing it was still processed.
        return runIdempotently(lifecycle, keyed, recordContext, call, { ahead, bindClaimTo: recordContext }).catch((error: unknown) => {
          if (!isIdempotencyResultNotStoredError(error)) throw error;
        });
      },
    }),
  };
}
