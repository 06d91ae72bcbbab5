import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Context, DynamoDBRecord, KinesisStreamRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { completeWithTransaction, createStreamBatchHandler, IdempotencyInProgressError } from '../../lib/idempotency/index.js';
import { countCalls, type CallCounter } from '../support/call-counter.js';
import { createGate } from '../support/gate.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { createDynamoDBStreamRecord, createKinesisRecord, failedSequenceNumbers } from '../support/stream-events.js';
import { useStoreFixture } from '../support/store-fixture.js';
import { waitFor } from '../support/wait-for.js';

const fixture = useStoreFixture();
let calls: CallCounter;
beforeAll(() => {
  calls = countCalls(fixture.client);
});

/** A fresh stream with two shards: each test's sequence numbers are its own. */
const freshStream = () => {
  const streamArn = `arn:aws:kinesis:us-east-1:000000000000:stream/orders-${randomUUID()}`;
  const record = (shard: 'a' | 'b', sequenceNumber: string) => createKinesisRecord(`shardId-${shard}`, sequenceNumber, { streamArn });
  return { streamArn, record };
};
const sequenceOf = (record: KinesisStreamRecord) => record.kinesis.sequenceNumber;

/** A record handler that logs its runs by sequence number and throws for those in `failing`. */
function createCountingHandler(failing = new Set<string>()) {
  const runs: string[] = [];
  const handleRecord = async (record: KinesisStreamRecord) => {
    runs.push(sequenceOf(record));
    if (failing.has(sequenceOf(record))) throw new Error(`could not handle ${sequenceOf(record)}`);
    return { handled: sequenceOf(record) };
  };
  return { runs, failing, handleRecord };
}

describe('createStreamBatchHandler against DynamoDB Local', () => {
  it('stops a shard at its first failure, names that sequence number, runs the other shard, and resumes from it on retry', async () => {
    // Arrange
    const { record } = freshStream();
    const { runs, failing, handleRecord } = createCountingHandler(new Set(['a2']));
    const errors: unknown[] = [];
    const handler = createStreamBatchHandler(handleRecord, { store: fixture.store, logger: (_message, details) => errors.push(details.sequenceNumber) });
    const batch = [record('a', 'a1'), record('b', 'b1'), record('a', 'a2'), record('b', 'b2'), record('a', 'a3')];

    // Act
    const first = await handler({ Records: batch }, createLambdaContext());
    failing.clear();
    const resumed = await handler({ Records: batch.filter((each) => ['a2', 'a3'].includes(sequenceOf(each))) }, createLambdaContext());

    // Assert
    expect(failedSequenceNumbers(first)).toEqual(['a2']);
    expect(errors).toEqual(['a2']);
    expect(failedSequenceNumbers(resumed)).toEqual([]);
    expect(runs.filter((sequence) => sequence.startsWith('a'))).toEqual(['a1', 'a2', 'a2', 'a3']);
    expect(runs.filter((sequence) => sequence.startsWith('b'))).toEqual(['b1', 'b2']);
  });

  it('runs nothing again, with one DynamoDB call per record, when a whole batch is redelivered', async () => {
    // Arrange
    const { record } = freshStream();
    const { runs, handleRecord } = createCountingHandler();
    const handler = createStreamBatchHandler(handleRecord, { store: fixture.store });
    const batch = { Records: ['1', '2', '3', '4'].map((sequence, index) => record(index % 2 === 0 ? 'a' : 'b', sequence)) };
    await handler(batch, createLambdaContext());
    calls.reset();

    // Act
    const redelivered = await handler(batch, createLambdaContext());

    // Assert
    expect(failedSequenceNumbers(redelivered)).toEqual([]);
    expect([...runs].sort()).toEqual(['1', '2', '3', '4']);
    expect(calls.calls).toEqual({ PutItemCommand: 4 });
  });

  it('runs the shards of a batch side by side while each keeps its order', async () => {
    // Arrange
    const { record } = freshStream();
    const gate = createGate();
    const started: string[] = [];
    const handler = createStreamBatchHandler(
      async (each: KinesisStreamRecord) => {
        started.push(sequenceOf(each));
        if (sequenceOf(each) === 'a1') await gate.opened;
      },
      { store: fixture.store },
    );

    // Act
    const response = handler({ Records: [record('a', 'a1'), record('a', 'a2'), record('b', 'b1'), record('b', 'b2')] }, createLambdaContext());
    await waitFor(() => started.includes('b2'));
    const whileA1Ran = [...started];
    gate.open();

    // Assert
    expect(failedSequenceNumbers(await response)).toEqual([]);
    expect([...whileA1Ran].sort()).toEqual(['a1', 'b1', 'b2']);
    expect(started.at(-1)).toBe('a2');
  });

  it('stops the shard at a record another invocation is still running, and replays it afterwards', async () => {
    // Arrange
    const { record } = freshStream();
    const gate = createGate();
    const errors: unknown[] = [];
    let runs = 0;
    const handler = createStreamBatchHandler(
      async () => {
        runs += 1;
        await gate.opened;
      },
      { store: fixture.store, logger: (_message, details) => errors.push(details.error) },
    );
    const slow = { Records: [record('a', '1')] };

    // Act
    const running = handler(slow, createLambdaContext({ remainingMs: 60_000 }));
    await waitFor(() => runs === 1);
    const overlapping = await handler({ Records: [record('a', '1'), record('a', '2')] }, createLambdaContext());
    gate.open();
    await running;
    const afterwards = await handler({ Records: [record('a', '1'), record('a', '2')] }, createLambdaContext());

    // Assert
    expect(failedSequenceNumbers(overlapping)).toEqual(['1']);
    expect(errors).toEqual([expect.any(IdempotencyInProgressError)]);
    expect(failedSequenceNumbers(afterwards)).toEqual([]);
    expect(runs).toBe(2);
  });

  it('keys DynamoDB stream records on eventID within their stream: another stream with the same eventID runs again', async () => {
    // Arrange
    let runs = 0;
    const handler = createStreamBatchHandler(async (_record: DynamoDBRecord) => ++runs, { store: fixture.store });
    const eventID = randomUUID().replaceAll('-', '');
    const otherStream = `arn:aws:dynamodb:us-east-1:000000000000:table/other/stream/${randomUUID()}`;

    // Act
    const first = await handler({ Records: [createDynamoDBStreamRecord(eventID, '100')] }, createLambdaContext());
    const redelivered = await handler({ Records: [createDynamoDBStreamRecord(eventID, '100')] }, createLambdaContext());
    const elsewhere = await handler({ Records: [createDynamoDBStreamRecord(eventID, '100', { streamArn: otherStream })] }, createLambdaContext());

    // Assert
    expect([first, redelivered, elsewhere].flatMap(failedSequenceNumbers)).toEqual([]);
    expect(runs).toBe(2);
  });

  it("completes each record's own claim when records of several shards commit transactions at once", async () => {
    // Arrange
    const { record } = freshStream();
    const shards = ['a', 'b'] as const;
    const arrived = new Set<string>();
    const gate = createGate();
    const ledger = `ledger-${randomUUID()}`;
    const placed: string[] = [];
    const handler = createStreamBatchHandler(
      async (each: KinesisStreamRecord, context: Context) => {
        arrived.add(sequenceOf(each));
        await gate.opened;
        const put = { Put: { TableName: fixture.tableName, Item: { id: { S: `${ledger}-${sequenceOf(each)}` } } } };
        await completeWithTransaction(context, { writes: [put], result: { placed: sequenceOf(each) } });
        placed.push(sequenceOf(each));
      },
      { store: fixture.store },
    );
    const batch = { Records: shards.map((shard) => record(shard, `${shard}1`)) };

    // Act
    const response = handler(batch, createLambdaContext());
    await waitFor(() => arrived.size === 2);
    gate.open();
    const first = await response;
    calls.reset();
    const redelivered = await handler(batch, createLambdaContext());

    // Assert
    expect(failedSequenceNumbers(first)).toEqual([]);
    expect(failedSequenceNumbers(redelivered)).toEqual([]);
    expect([...placed].sort()).toEqual(['a1', 'b1']);
    expect(calls.calls).toEqual({ PutItemCommand: 2 });
  });
});
