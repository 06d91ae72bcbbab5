import type { DynamoDBRecord, KinesisStreamRecord } from 'aws-lambda';

const kinesisStreamArn = 'arn:aws:kinesis:us-east-1:000000000000:stream/orders';
const dynamoDBStreamArn = 'arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/2026-11-30T00:00:00.000';

/** A Kinesis record as Lambda delivers it, from `shardId` at `sequenceNumber`. */
export function createKinesisRecord(shardId: string, sequenceNumber: string, options: { data?: string; streamArn?: string } = {}): KinesisStreamRecord {
  return {
    awsRegion: 'us-east-1',
    eventID: `${shardId}:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    eventSource: 'aws:kinesis',
    eventSourceARN: options.streamArn ?? kinesisStreamArn,
    eventVersion: '1.0',
    invokeIdentityArn: 'arn:aws:iam::000000000000:role/consumer',
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: 'orders',
      sequenceNumber,
      data: Buffer.from(options.data ?? sequenceNumber).toString('base64'),
      approximateArrivalTimestamp: 1_764_460_800,
    },
  };
}

/** A DynamoDB stream record (an INSERT of `orderId`) as Lambda delivers it. */
export function createDynamoDBStreamRecord(eventID: string, sequenceNumber: string, options: { orderId?: string; streamArn?: string } = {}): DynamoDBRecord {
  const keys = { orderId: { S: options.orderId ?? eventID } };
  return {
    awsRegion: 'us-east-1',
    eventID,
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    eventSourceARN: options.streamArn ?? dynamoDBStreamArn,
    eventVersion: '1.1',
    dynamodb: { Keys: keys, NewImage: keys, SequenceNumber: sequenceNumber, SizeBytes: 64, StreamViewType: 'NEW_IMAGE' },
  };
}

/** The sequence numbers a stream partial batch response asks Lambda to resume from: the same item identifiers as SQS's. */
export { failedMessageIds as failedSequenceNumbers } from './sqs-events.js';
