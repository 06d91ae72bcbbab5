import type { DynamoDBRecord, KinesisStreamRecord } from 'aws-lambda';
import { describeEventValue, requireNonEmptyString } from '../option-checks.js';

/** A record of a Kinesis data stream or of a DynamoDB stream, as Lambda delivers it. */
export type StreamRecord = KinesisStreamRecord | DynamoDBRecord;

/** Where a stream record sits: its shard, and its sequence number, which the partial batch response names. */
export interface StreamPosition {
  /** The stream and shard: records of one shard run in order, and stop at the first failure. */
  readonly shard: string;
  readonly sequenceNumber: string;
}

const isKinesisRecord = (record: StreamRecord): record is KinesisStreamRecord => 'kinesis' in record;

/**
 * The shard and sequence number of a stream record.
 *
 * A Kinesis `eventID` is `shardId:sequenceNumber`, so the shard is its prefix. A DynamoDB stream record does not say
 * which shard it came from; Lambda reads every batch from one shard, so its stream stands for the shard.
 * @throws {TypeError} when the record has no sequence number, or no `eventSourceARN` and `eventID` to place it.
 */
export function readStreamPosition(record: StreamRecord, index: number): StreamPosition {
  const sequenceNumber = isKinesisRecord(record) ? record.kinesis?.sequenceNumber : record.dynamodb?.SequenceNumber;
  const field = isKinesisRecord(record) ? 'kinesis.sequenceNumber' : 'dynamodb.SequenceNumber';
  requireNonEmptyString(`Records[${index}].${field}`, sequenceNumber);
  requireNonEmptyString(`Records[${index}].eventSourceARN`, record.eventSourceARN);
  requireNonEmptyString(`Records[${index}].eventID`, record.eventID);
  const shard = isKinesisRecord(record) ? `${record.eventSourceARN} ${record.eventID.split(':')[0]}` : (record.eventSourceARN as string);
  return { shard, sequenceNumber: sequenceNumber as string };
}

/**
 * The records of a Kinesis or DynamoDB stream event, each with its position.
 * @throws {TypeError} when `event` has no `Records` array, or a record cannot be placed.
 */
export function readStreamRecords<TRecord extends StreamRecord>(
  event: unknown,
): ReadonlyArray<{ readonly record: TRecord; readonly position: StreamPosition }> {
  const records = (event as { Records?: unknown } | null | undefined)?.Records;
  if (!Array.isArray(records)) throw new TypeError(`Expected a stream event with a \`Records\` array, got ${describeEventValue(event)}.`);
  return records.map((record: TRecord | null, index) => {
    if (typeof record !== 'object' || record === null) throw new TypeError(`Expected \`Records[${index}]\` to be a stream record, got ${String(record)}.`);
    return { record, position: readStreamPosition(record, index) };
  });
}
