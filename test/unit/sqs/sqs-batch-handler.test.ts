import { describe, expect, it } from '@jest/globals';
import { createDynamoDBStore, createSqsBatchHandler, sqsBatchHandlerDefaults } from '../../../lib/idempotency/index.js';
import { readSqsRecords } from '../../../lib/idempotency/sqs/sqs-batch-handler.js';
import { createLambdaContext } from '../../support/lambda-context.js';
import { createSqsRecord } from '../../support/sqs-events.js';

// Constructing a store makes no call, so these tests need no DynamoDB.
const store = createDynamoDBStore({ tableName: 'never-called' });
const handleRecord = async () => 'done';

describe('createSqsBatchHandler', () => {
  it.each([
    ['recordHandler', () => createSqsBatchHandler('not a function' as never, { store }), /`recordHandler`/],
    ['store', () => createSqsBatchHandler(handleRecord, { store: {} as never }), /`store`/],
    ['missing options', () => createSqsBatchHandler(handleRecord, undefined as never), /`store`/],
    ['key', () => createSqsBatchHandler(handleRecord, { store, key: 'messageId' as never }), /`key`/],
    ['namespace', () => createSqsBatchHandler(handleRecord, { store, namespace: 7 as never }), /`namespace`/],
    ['expiresAfterSeconds', () => createSqsBatchHandler(handleRecord, { store, expiresAfterSeconds: -1 }), /`expiresAfterSeconds`/],
    ['maxConcurrency of 0', () => createSqsBatchHandler(handleRecord, { store, maxConcurrency: 0 }), /`maxConcurrency` to be a positive integer, got 0/],
    ['fractional maxConcurrency', () => createSqsBatchHandler(handleRecord, { store, maxConcurrency: 1.5 }), /`maxConcurrency`/],
    ['fingerprint', () => createSqsBatchHandler(handleRecord, { store, fingerprint: 'body' as never }), /`fingerprint`/],
    ['scope', () => createSqsBatchHandler(handleRecord, { store, scope: 'tenant' as never }), /`scope`/],
    [
      'prefetchRedelivered',
      () => createSqsBatchHandler(handleRecord, { store, prefetchRedelivered: 'yes' as never }),
      /`prefetchRedelivered` to be true or false, got 'yes'/,
    ],
  ])('throws a TypeError naming an invalid %s at construction', (_option, build, message) => {
    // Act and Assert
    expect(build).toThrow(TypeError);
    expect(build).toThrow(message);
  });

  it.each([
    ['null', null, /got null/],
    ['an EventBridge event', { id: 'e-1', source: 'orders', detail: {} }, /`Records` array, got an object with keys id, source, detail/],
    ['an empty object', {}, /`Records` array, got an object with keys \(none\)/],
    ['Records that is not an array', { Records: {} }, /`Records` array/],
    ['a record without messageId', { Records: [createSqsRecord('a'), { body: '{}' }] }, /`Records\[1\]\.messageId`.*got undefined/],
    ['a null record', { Records: [null] }, /`Records\[0\]\.messageId`/],
    ['an empty messageId', { Records: [createSqsRecord('')] }, /`Records\[0\]\.messageId`/],
  ])('rejects %s with a TypeError before touching the store', async (_label, event, message) => {
    // Arrange
    let runs = 0;
    const handler = createSqsBatchHandler(async () => ++runs, { store });

    // Act
    const error = await handler(event as never, createLambdaContext()).catch((thrown: unknown) => thrown);

    // Assert
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(message);
    expect(runs).toBe(0);
  });

  it('answers an empty batch with no failures', async () => {
    // Arrange
    const handler = createSqsBatchHandler(handleRecord, { store });

    // Act
    const response = await handler({ Records: [] }, createLambdaContext());

    // Assert
    expect(response).toEqual({ batchItemFailures: [] });
  });
});

describe('readSqsRecords', () => {
  it('returns the records of an SQS event unchanged', () => {
    // Arrange
    const records = [createSqsRecord('a'), createSqsRecord('b', { messageGroupId: 'g' })];

    // Act and Assert
    expect(readSqsRecords({ Records: records })).toBe(records);
  });
});

describe('sqsBatchHandlerDefaults', () => {
  it('keys a record by its message id under the sqs namespace', () => {
    // Act and Assert
    expect(sqsBatchHandlerDefaults.key(createSqsRecord('m-1'))).toBe('m-1');
    expect(sqsBatchHandlerDefaults.namespace).toBe('sqs');
    expect(sqsBatchHandlerDefaults.maxConcurrency).toBe(100);
  });
});
