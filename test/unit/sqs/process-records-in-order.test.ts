import { describe, expect, it } from '@jest/globals';
import type { SQSRecord } from 'aws-lambda';
import { processRecordsInOrder, type SqsRecordFailure } from '../../../lib/idempotency/sqs/process-records-in-order.js';
import { createSqsRecord, failedMessageIds } from '../../support/sqs-events.js';

const failWhen = (messageIds: string[], ran: string[]) => async (record: SQSRecord) => {
  ran.push(record.messageId);
  if (messageIds.includes(record.messageId)) throw new Error(`boom ${record.messageId}`);
};

describe('processRecordsInOrder', () => {
  it('runs every record once, in batch order, and reports no failures when all succeed', async () => {
    // Arrange
    const ran: string[] = [];
    const records = ['a', 'b', 'c'].map((id) => createSqsRecord(id));

    // Act
    const response = await processRecordsInOrder(records, failWhen([], ran), () => undefined);

    // Assert
    expect(response).toEqual({ batchItemFailures: [] });
    expect(ran).toEqual(['a', 'b', 'c']);
  });

  it('reports exactly the records that threw and keeps running the others', async () => {
    // Arrange
    const ran: string[] = [];
    const failures: Array<[string, SqsRecordFailure]> = [];
    const records = ['a', 'b', 'c', 'd'].map((id) => createSqsRecord(id));

    // Act
    const response = await processRecordsInOrder(records, failWhen(['b', 'd'], ran), (record, failure) => failures.push([record.messageId, failure]));

    // Assert
    expect(failedMessageIds(response)).toEqual(['b', 'd']);
    expect(ran).toEqual(['a', 'b', 'c', 'd']);
    expect(failures.map(([id, failure]) => [id, failure.kind])).toEqual([
      ['b', 'failed'],
      ['d', 'failed'],
    ]);
    expect(failures[0]?.[1]).toMatchObject({ error: new Error('boom b') });
  });

  it('fails the later records of a FIFO message group without running them, and runs the other groups', async () => {
    // Arrange
    const ran: string[] = [];
    const failures: Array<[string, SqsRecordFailure]> = [];
    const records = [
      createSqsRecord('g1-1', { messageGroupId: 'g1' }),
      createSqsRecord('g2-1', { messageGroupId: 'g2' }),
      createSqsRecord('g1-2', { messageGroupId: 'g1' }),
      createSqsRecord('g2-2', { messageGroupId: 'g2' }),
      createSqsRecord('g1-3', { messageGroupId: 'g1' }),
    ];

    // Act
    const response = await processRecordsInOrder(records, failWhen(['g1-1'], ran), (record, failure) => failures.push([record.messageId, failure]));

    // Assert
    expect(failedMessageIds(response)).toEqual(['g1-1', 'g1-2', 'g1-3']);
    expect(ran).toEqual(['g1-1', 'g2-1', 'g2-2']);
    expect(failures.slice(1).map(([, failure]) => failure)).toEqual([
      { kind: 'skipped', messageGroupId: 'g1' },
      { kind: 'skipped', messageGroupId: 'g1' },
    ]);
  });

  it('keeps running the later records of a standard queue after a failure', async () => {
    // Arrange
    const ran: string[] = [];
    const records = ['a', 'b', 'c'].map((id) => createSqsRecord(id));

    // Act
    const response = await processRecordsInOrder(records, failWhen(['a'], ran), () => undefined);

    // Assert
    expect(failedMessageIds(response)).toEqual(['a']);
    expect(ran).toEqual(['a', 'b', 'c']);
  });

  it('names a message id once when the same message appears twice in the batch and fails', async () => {
    // Arrange
    const ran: string[] = [];
    const records = [createSqsRecord('a'), createSqsRecord('a')];

    // Act
    const response = await processRecordsInOrder(records, failWhen(['a'], ran), () => undefined);

    // Assert
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'a' }] });
    expect(ran).toEqual(['a', 'a']);
  });
});
