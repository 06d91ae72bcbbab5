import { describe, expect, it } from '@jest/globals';
import { createDynamoDBStore, createStreamBatchHandler, streamBatchHandlerDefaults } from '../../../lib/idempotency/index.js';
import { readStreamRecords } from '../../../lib/idempotency/streams/stream-record.js';
import { createLambdaContext } from '../../support/lambda-context.js';
import { createDynamoDBStreamRecord, createKinesisRecord } from '../../support/stream-events.js';

// Constructing a store makes no call, so these tests need no DynamoDB.
const store = createDynamoDBStore({ tableName: 'never-called' });
const handleRecord = async () => 'done';
const kinesis = createKinesisRecord('shardId-000000000001', '49590338271490256608559692538361571095921575989136588898');
const dynamodb = createDynamoDBStreamRecord('c81e728d9d4c2f636f067f89cc14862c', '111100000000012345678901');

describe('createStreamBatchHandler', () => {
  it.each([
    ['recordHandler', () => createStreamBatchHandler('not a function' as never, { store }), /`recordHandler`/],
    ['store', () => createStreamBatchHandler(handleRecord, { store: {} as never }), /`store`/],
    ['key', () => createStreamBatchHandler(handleRecord, { store, key: 'eventID' as never }), /`key`/],
    ['scope', () => createStreamBatchHandler(handleRecord, { store, scope: 'eventSourceARN' as never }), /`scope`/],
    ['maxConcurrency', () => createStreamBatchHandler(handleRecord, { store, maxConcurrency: -2 }), /`maxConcurrency` to be a positive integer, got -2/],
  ])('throws a TypeError naming an invalid %s at construction', (_option, build, message) => {
    // Act and Assert
    expect(build).toThrow(TypeError);
    expect(build).toThrow(message);
  });

  it.each([
    ['null', null, /`Records` array, got null/],
    ['an SQS-shaped object without Records', { messages: [] }, /`Records` array, got an object with keys messages/],
    ['a null record', { Records: [null] }, /`Records\[0\]` to be a stream record/],
    [
      'a Kinesis record without a sequence number',
      { Records: [{ ...kinesis, kinesis: { ...kinesis.kinesis, sequenceNumber: '' } }] },
      /`Records\[0\]\.kinesis\.sequenceNumber`/,
    ],
    ['a DynamoDB record without a sequence number', { Records: [kinesis, { ...dynamodb, dynamodb: {} }] }, /`Records\[1\]\.dynamodb\.SequenceNumber`/],
    ['a record without eventSourceARN', { Records: [{ ...dynamodb, eventSourceARN: undefined }] }, /`Records\[0\]\.eventSourceARN`/],
    ['a record without eventID', { Records: [{ ...dynamodb, eventID: undefined }] }, /`Records\[0\]\.eventID`/],
  ])('rejects %s with a TypeError before touching the store', async (_label, event, message) => {
    // Arrange
    let runs = 0;
    const handler = createStreamBatchHandler(async () => ++runs, { store });

    // Act
    const error = await handler(event as never, createLambdaContext()).catch((thrown: unknown) => thrown);

    // Assert
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(message);
    expect(runs).toBe(0);
  });
});

describe('readStreamRecords', () => {
  it('places a Kinesis record on its stream and shard, and a DynamoDB record on its stream', () => {
    // Act
    const [first, second] = readStreamRecords({ Records: [kinesis, dynamodb] });

    // Assert
    expect(first?.position).toEqual({ shard: `${kinesis.eventSourceARN} shardId-000000000001`, sequenceNumber: kinesis.kinesis.sequenceNumber });
    expect(second?.position).toEqual({ shard: dynamodb.eventSourceARN, sequenceNumber: '111100000000012345678901' });
  });
});

describe('streamBatchHandlerDefaults', () => {
  it('keys a record by its eventID, scoped to its stream, under the stream namespace', () => {
    // Act and Assert
    expect(streamBatchHandlerDefaults.key(kinesis)).toBe(`shardId-000000000001:${kinesis.kinesis.sequenceNumber}`);
    expect(streamBatchHandlerDefaults.key(dynamodb)).toBe('c81e728d9d4c2f636f067f89cc14862c');
    expect(streamBatchHandlerDefaults.scope(dynamodb)).toBe(dynamodb.eventSourceARN);
    expect(streamBatchHandlerDefaults.namespace).toBe('stream');
    expect(streamBatchHandlerDefaults.maxConcurrency).toBe(100);
  });
});
