import type { Context } from 'aws-lambda';
import { batchConcurrencyDefaults, createIdempotentRecords, type BatchConcurrencyOptions, type BatchRecordHandler } from '../batch/idempotent-records.js';
import type { IdempotencyOptions } from '../options.js';
import { guardCallbacks } from '../user-callbacks.js';
import { processStreamRecords, type StreamBatchResponse } from './process-stream-records.js';
import { readStreamRecords, type StreamRecord } from './stream-record.js';

/** Handles one Kinesis or DynamoDB stream record; its result is stored, and a throw stops its shard there. */
export type StreamRecordHandler<TRecord extends StreamRecord, TResult> = BatchRecordHandler<TRecord, TResult>;

/** A Lambda handler for a Kinesis or DynamoDB stream event source with `ReportBatchItemFailures` turned on. */
export type StreamBatchHandler<TRecord extends StreamRecord> = (event: { Records: TRecord[] }, context: Context) => Promise<StreamBatchResponse>;

/** Options of {@link createStreamBatchHandler}: those of `idempotency()`, read per record, with stream defaults for three, and `maxConcurrency`. */
export interface StreamBatchHandlerOptions<TRecord extends StreamRecord, TResult = unknown>
  extends Omit<IdempotencyOptions<TRecord, TResult>, 'key'>,
    BatchConcurrencyOptions {
  /** Picks a record's key, e.g. `(record) => record.dynamodb?.Keys?.orderId?.S`. @default (record) => record.eventID, which every redelivery of the record carries */
  key?: IdempotencyOptions<TRecord, TResult>['key'];
  /** Separates equal keys of different streams. @default (record) => record.eventSourceARN */
  scope?: IdempotencyOptions<TRecord, TResult>['scope'];
  /** Separates these records' keys from the same keys used by another operation of the function. @default 'stream' */
  namespace?: string;
}

/** The default values of {@link StreamBatchHandlerOptions}, beyond those of `idempotencyDefaults`. */
export const streamBatchHandlerDefaults = {
  // A Kinesis eventID is `shardId:sequenceNumber`; a DynamoDB stream's is unique to the stream record. Both are part of
  // the record as the stream stores it, so a redelivery (a retry, a bisected batch, a second reader) brings the same one.
  key: (record: StreamRecord): string | undefined => record.eventID,
  scope: (record: StreamRecord): string | undefined => record.eventSourceARN,
  namespace: 'stream',
  maxConcurrency: batchConcurrencyDefaults.maxConcurrency,
} as const;

/**
 * Builds a Kinesis or DynamoDB Streams batch handler that runs `recordHandler` once per record key and answers with
 * the partial batch response, so Lambda resumes each shard from the record that failed.
 *
 * Each record goes through the same lifecycle as `makeIdempotent()`, its lease ending at the invocation's deadline.
 * The records of a shard run one at a time, in order, and the shards of a batch side by side (at most
 * `maxConcurrency` records at once). The first record of a shard that fails (its handler throws, its key is held by
 * another running invocation, its claim cannot be written) is named by its sequence number, and the later records of
 * its shard do not run: Lambda retries from it. A record already completed, in this batch or an earlier delivery, is
 * a success without running. A record handler may call `completeWithTransaction(context, …)` with the context it receives, for its own claim.
 * Failures reach the `logger` with the sequence number, never the record's data.
 * @throws {TypeError} at construction, naming an invalid option; per call, when the event is not a stream event whose records carry `eventID`, `eventSourceARN` and a sequence number.
 * @example
 * ```ts
 * import type { DynamoDBRecord } from 'aws-lambda';
 * import { createDynamoDBStore, createStreamBatchHandler } from 'lambda-idempotency';
 * const store = createDynamoDBStore({ tableName: 'idempotency' });
 * export const handler = createStreamBatchHandler(async (record: DynamoDBRecord) => {
 *   const orderId = record.dynamodb?.Keys?.orderId?.S;
 *   return { shipped: orderId };
 * }, { store });
 * ```
 */
export function createStreamBatchHandler<TRecord extends StreamRecord, TResult>(
  recordHandler: StreamRecordHandler<TRecord, TResult>,
  options: StreamBatchHandlerOptions<TRecord, TResult>,
): StreamBatchHandler<TRecord> {
  const records = createIdempotentRecords(recordHandler, {
    ...options,
    key: options?.key ?? streamBatchHandlerDefaults.key,
    scope: options?.scope ?? streamBatchHandlerDefaults.scope,
    namespace: options?.namespace ?? streamBatchHandlerDefaults.namespace,
  });
  const { log } = guardCallbacks(options?.logger, undefined);
  return async (event, context) => {
    const items = readStreamRecords<TRecord>(event).map(({ record, position }) => ({ ...records.keyRecord(record, context), position }));
    return processStreamRecords(items, {
      ...records.planFor<(typeof items)[number]>(context),
      onFailure: (item, error) => log('Stream record failed; its shard stops there', { sequenceNumber: item.position.sequenceNumber, error }),
    });
  };
}
