import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { batchConcurrencyDefaults, createIdempotentRecords, type BatchConcurrencyOptions, type BatchRecordHandler } from '../batch/idempotent-records.js';
import { describeEventValue, requireBoolean } from '../option-checks.js';
import type { IdempotencyOptions } from '../options.js';
import { guardCallbacks } from '../user-callbacks.js';
import { processSqsRecords, type SqsRecordFailure } from './process-sqs-records.js';

/** Handles one SQS record; its result is stored, and a throw makes the record a batch item failure. */
export type SqsRecordHandler<TResult> = BatchRecordHandler<SQSRecord, TResult>;

/** A Lambda handler for an SQS event source with `ReportBatchItemFailures` turned on. */
export type SqsBatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** Options of {@link createSqsBatchHandler}: those of `idempotency()`, read per record, with SQS defaults for two, and `maxConcurrency`. */
export interface SqsBatchHandlerOptions<TResult = unknown> extends Omit<IdempotencyOptions<SQSRecord, TResult>, 'key'>, BatchConcurrencyOptions {
  /** Picks a record's key, e.g. `(record) => JSON.parse(record.body).paymentId`. @default (record) => record.messageId, which SQS keeps across redeliveries */
  key?: IdempotencyOptions<SQSRecord, TResult>['key'];
  /** Separates these records' keys from the same keys used by another operation of the function. @default 'sqs' */
  namespace?: string;
  /**
   * Reads the records of redelivered messages (`ApproximateReceiveCount` above 1) in one strongly consistent
   * `BatchGetItem` per 100 before claiming any: a message that already completed then costs no call of its own. Needs
   * `dynamodb:BatchGetItem` (`IdempotencyTable.grantTo` grants it); a failed read only costs that call, as every
   * record then claims its key as usual. Stores without `getMany` (the Redis store) ignore it. @default true
   */
  prefetchRedelivered?: boolean;
  /**
   * Claims the keys of first deliveries (`ApproximateReceiveCount` 1) outside a FIFO message group together before
   * any record runs: PartiQL `INSERT`s, 25 per `BatchExecuteStatement`, in place of one `PutItem` per record. An
   * `INSERT` writes only a key without a record; a record whose key has one, or whose write failed, claims on its own
   * as usual. Needs `dynamodb:PartiQLInsert` (`IdempotencyTable.grantTo` grants it); a failed call only costs that
   * call. FIFO records are left out: those after a failure in their group do not run, so they must not hold a claim.
   * Stores without `claimMany` (the Redis store) ignore it. @default true
   */
  preclaimFirstDeliveries?: boolean;
}

/** The default values of {@link SqsBatchHandlerOptions}, beyond those of `idempotencyDefaults`. */
export const sqsBatchHandlerDefaults = {
  key: (record: SQSRecord): string => record.messageId,
  namespace: 'sqs',
  maxConcurrency: batchConcurrencyDefaults.maxConcurrency,
  prefetchRedelivered: true,
  preclaimFirstDeliveries: true,
} as const;

/** True when SQS delivered the record before: it counts every receive in `ApproximateReceiveCount`. */
const isRedelivered = (record: SQSRecord): boolean => Number(record.attributes?.ApproximateReceiveCount) > 1;

/** True for a first delivery outside a FIFO message group: new, and run whatever other records do. */
const isClaimableAhead = ({ record }: { record: SQSRecord }): boolean => !isRedelivered(record) && record.attributes?.MessageGroupId === undefined;

/**
 * Builds an SQS batch handler that runs `recordHandler` once per record key and answers with the partial batch
 * response, so SQS redelivers only the records that failed or are still in progress elsewhere.
 *
 * Each record goes through the same lifecycle as `makeIdempotent()`, its lease ending at the invocation's deadline.
 * Records run concurrently, at most `maxConcurrency` at once. Records that share a key run one after another, so a
 * duplicate inside the batch or of an earlier batch is a success without running (even when its twin's result could
 * not be stored); a record whose handler throws is a failure and its key is released for the retry; a record whose
 * key is held by another running invocation, or whose claim cannot be written, is a failure and its handler does not run.
 * On a FIFO queue, the records of one message group run in batch order, and those after a failure fail too, unrun.
 * The records of redelivered messages are read ahead in one `BatchGetItem` per 100 (see `prefetchRedelivered`), and
 * the keys of first deliveries claimed in one `BatchExecuteStatement` per 25 (see `preclaimFirstDeliveries`), both at once.
 * A record handler may call `completeWithTransaction(context, …)` with the context it receives (its own, reading as the
 * Lambda context): it completes the claim of the record it runs for, whatever else runs beside it. Do not add `@middy/sqs-partial-batch-failure`: it would misread this answer.
 * Failures reach the `logger` with the message id, never the body.
 * @throws {TypeError} at construction, naming an invalid option; per call, when the event has no `Records` array of records with a `messageId`.
 * @example
 * ```ts
 * import { createDynamoDBStore, createSqsBatchHandler } from 'lambda-idempotency';
 * const store = createDynamoDBStore({ tableName: 'idempotency' });
 * export const handler = createSqsBatchHandler(async (record) => {
 *   const { paymentId } = JSON.parse(record.body) as { paymentId: string };
 *   return { charged: paymentId };
 * }, { store, maxConcurrency: 10 });
 * ```
 */
export function createSqsBatchHandler<TResult>(recordHandler: SqsRecordHandler<TResult>, options: SqsBatchHandlerOptions<TResult>): SqsBatchHandler {
  const {
    prefetchRedelivered = sqsBatchHandlerDefaults.prefetchRedelivered,
    preclaimFirstDeliveries = sqsBatchHandlerDefaults.preclaimFirstDeliveries,
    ...recordOptions
  } = options ?? {};
  requireBoolean('prefetchRedelivered', prefetchRedelivered);
  requireBoolean('preclaimFirstDeliveries', preclaimFirstDeliveries);
  const records = createIdempotentRecords(recordHandler, {
    ...recordOptions,
    key: options?.key ?? sqsBatchHandlerDefaults.key,
    namespace: options?.namespace ?? sqsBatchHandlerDefaults.namespace,
  });
  const { log } = guardCallbacks(options?.logger, undefined);
  const onFailure = (record: SQSRecord, failure: SqsRecordFailure) => {
    const { messageId } = record;
    if (failure.kind === 'failed') log('SQS record failed', { messageId, error: failure.error });
    else log('SQS record not run: an earlier record of its message group failed', { messageId, messageGroupId: failure.messageGroupId });
  };
  return async (event, context) => {
    const keyed = readSqsRecords(event).map((record) => records.keyRecord(record, context));
    const redelivered = prefetchRedelivered ? keyed.filter((item) => isRedelivered(item.record)) : [];
    const requests = records.claimRequests(keyed, context);
    const [readAhead, claimsAhead] = await Promise.all([
      redelivered.length > 0 ? records.readAhead(redelivered, requests) : undefined,
      preclaimFirstDeliveries ? records.claimAhead(keyed, requests, isClaimableAhead) : undefined,
    ]);
    return processSqsRecords(keyed, { ...records.planFor(context, { requests, records: readAhead, claims: claimsAhead }), onFailure });
  };
}

/**
 * The records of an SQS event, checked to carry the message ids the partial batch response names.
 * @throws {TypeError} when `event` is not an SQS event.
 */
export function readSqsRecords(event: unknown): readonly SQSRecord[] {
  const records = (event as Partial<SQSEvent> | null | undefined)?.Records;
  if (!Array.isArray(records)) throw new TypeError(`Expected an SQS event with a \`Records\` array, got ${describeEventValue(event)}.`);
  const invalid = records.findIndex((record: Partial<SQSRecord> | null) => typeof record?.messageId !== 'string' || record.messageId.length === 0);
  if (invalid !== -1)
    throw new TypeError(`Expected \`Records[${invalid}].messageId\` to be a non-empty string, got ${describeEventValue(records[invalid]?.messageId)}.`);
  return records;
}
