import { describe, expect, it } from '@jest/globals';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import middy from '@middy/core';
import { createDynamoDBStore, createSqsBatchHandler, IdempotencyInProgressError, IdempotencyStoreError } from '../../lib/idempotency/index.js';
import { findFreePort, localDynamoDBClientConfig } from '../../lib/local/dynamodb-local.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { createSqsEvent, createSqsRecord, failedMessageIds } from '../support/sqs-events.js';
import { useStoreFixture } from '../support/store-fixture.js';

const fixture = useStoreFixture();
let nextId = 0;
const freshId = (label: string) => `${label}-${++nextId}-${Math.random().toString(36).slice(2)}`;

/** A record handler that counts its runs per message id and throws for the ids in `failing`. */
function createCountingHandler(failing = new Set<string>()) {
  const runs: string[] = [];
  const handleRecord = async (record: SQSRecord) => {
    runs.push(record.messageId);
    if (failing.has(record.messageId)) throw new Error(`could not handle ${record.messageId}`);
    return { handled: record.messageId };
  };
  return { runs, failing, handleRecord };
}

describe('createSqsBatchHandler against DynamoDB Local', () => {
  it('runs a message once when it appears twice in one batch, and reports no failures', async () => {
    // Arrange
    const { runs, handleRecord } = createCountingHandler();
    const handler = createSqsBatchHandler(handleRecord, { store: fixture.store });
    const [a, b] = [freshId('a'), freshId('b')];

    // Act
    const response = await handler(createSqsEvent([createSqsRecord(a), createSqsRecord(b), createSqsRecord(a)]), createLambdaContext());

    // Assert
    expect(failedMessageIds(response)).toEqual([]);
    expect([...runs].sort()).toEqual([a, b].sort());
  });

  it('runs two messages once when a custom key from the body makes them duplicates', async () => {
    // Arrange
    const { runs, handleRecord } = createCountingHandler();
    const handler = createSqsBatchHandler(handleRecord, {
      store: fixture.store,
      key: (record) => (JSON.parse(record.body) as { paymentId: string }).paymentId,
    });
    const body = JSON.stringify({ paymentId: freshId('payment') });

    // Act
    const response = await handler(createSqsEvent([createSqsRecord(freshId('m'), { body }), createSqsRecord(freshId('m'), { body })]), createLambdaContext());

    // Assert
    expect(failedMessageIds(response)).toEqual([]);
    expect(runs).toHaveLength(1);
  });

  it("counts a duplicate as a success, unrun, when the first run's result could not be stored", async () => {
    // Arrange
    let runs = 0;
    const handler = createSqsBatchHandler(async () => ({ cents: BigInt(++runs) }), { store: fixture.store });
    const event = createSqsEvent([createSqsRecord(freshId('large'))]);

    // Act
    const first = await handler(event, createLambdaContext());
    const redelivered = await handler(event, createLambdaContext());

    // Assert
    expect(failedMessageIds(first)).toEqual([]);
    expect(failedMessageIds(redelivered)).toEqual([]);
    expect(runs).toBe(1);
  });

  it('runs nothing again and reports no failures when a whole batch is redelivered', async () => {
    // Arrange
    const { runs, handleRecord } = createCountingHandler();
    const handler = createSqsBatchHandler(handleRecord, { store: fixture.store });
    const ids = [freshId('a'), freshId('b'), freshId('c')];
    const event = createSqsEvent(ids.map((id) => createSqsRecord(id)));

    // Act
    const first = await handler(event, createLambdaContext());
    const redelivered = await handler(event, createLambdaContext());

    // Assert
    expect(failedMessageIds(first)).toEqual([]);
    expect(failedMessageIds(redelivered)).toEqual([]);
    expect([...runs].sort()).toEqual([...ids].sort());
  });

  it('reports exactly the record that threw, releases its key, and runs it again on redelivery', async () => {
    // Arrange
    const [a, b, c] = [freshId('a'), freshId('b'), freshId('c')];
    const { runs, failing, handleRecord } = createCountingHandler(new Set([b]));
    const handler = createSqsBatchHandler(handleRecord, { store: fixture.store });

    // Act
    const first = await handler(createSqsEvent([a, b, c].map((id) => createSqsRecord(id))), createLambdaContext());
    failing.clear();
    const retry = await handler(createSqsEvent([createSqsRecord(b)]), createLambdaContext());
    const lateDuplicate = await handler(createSqsEvent([createSqsRecord(b)]), createLambdaContext());

    // Assert
    expect(failedMessageIds(first)).toEqual([b]);
    expect(failedMessageIds(retry)).toEqual([]);
    expect(failedMessageIds(lateDuplicate)).toEqual([]);
    expect(runs.slice(0, 3).sort()).toEqual([a, b, c].sort());
    expect(runs.slice(3)).toEqual([b]);
  });

  it('fails the rest of a FIFO message group after a failure, unrun, and runs them in order on redelivery', async () => {
    // Arrange
    const [g1, g2] = [freshId('group'), freshId('group')];
    const [a1, a2, a3, b1] = [freshId('a1'), freshId('a2'), freshId('a3'), freshId('b1')];
    const { runs, failing, handleRecord } = createCountingHandler(new Set([a2]));
    const logged: Array<[string, unknown]> = [];
    const handler = createSqsBatchHandler(handleRecord, { store: fixture.store, logger: (message, details) => logged.push([message, details.messageId]) });
    const fifo = (id: string, group: string) => createSqsRecord(id, { messageGroupId: group });

    // Act
    const first = await handler(createSqsEvent([fifo(a1, g1), fifo(a2, g1), fifo(b1, g2), fifo(a3, g1)]), createLambdaContext());
    failing.clear();
    const redelivered = await handler(createSqsEvent([fifo(a2, g1), fifo(a3, g1)]), createLambdaContext());

    // Assert
    expect(failedMessageIds(first)).toEqual([a2, a3]);
    expect(failedMessageIds(redelivered)).toEqual([]);
    expect(runs.filter((id) => id !== b1)).toEqual([a1, a2, a2, a3]);
    expect(runs.slice(0, 3)).toContain(b1);
    expect(logged).toEqual([
      ['SQS record failed', a2],
      ['SQS record not run: an earlier record of its message group failed', a3],
    ]);
  });

  it('reports a record as failed, unrun, while another invocation is still running it, and replays it afterwards', async () => {
    // Arrange
    const id = freshId('slow');
    let finishFirst: () => void = () => undefined;
    const firstMayFinish = new Promise<void>((resolve) => (finishFirst = resolve));
    const errors: unknown[] = [];
    let runs = 0;
    const handler = createSqsBatchHandler(
      async () => {
        runs += 1;
        await firstMayFinish;
      },
      { store: fixture.store, logger: (message, details) => message === 'SQS record failed' && errors.push(details.error) },
    );
    const event = createSqsEvent([createSqsRecord(id)]);

    // Act
    const running = handler(event, createLambdaContext({ remainingMs: 60_000 }));
    while (runs === 0) await new Promise((resolve) => setImmediate(resolve));
    const overlapping = await handler(event, createLambdaContext());
    finishFirst();
    const first = await running;
    const afterwards = await handler(event, createLambdaContext());

    // Assert
    expect(failedMessageIds(overlapping)).toEqual([id]);
    expect(errors).toEqual([expect.any(IdempotencyInProgressError)]);
    expect(failedMessageIds(first)).toEqual([]);
    expect(failedMessageIds(afterwards)).toEqual([]);
    expect(runs).toBe(1);
  });

  it("keeps the record in flight when a batch times out blocked until that invocation's deadline, then lets a redelivery run it", async () => {
    // Arrange
    const id = freshId('timed-out');
    let clockMs = Date.now();
    let finishFirst: () => void = () => undefined;
    const firstHangs = new Promise<void>((resolve) => (finishFirst = resolve));
    let runs = 0;
    const outcomes: string[] = [];
    const handler = createSqsBatchHandler(
      async () => {
        runs += 1;
        if (runs === 1) await firstHangs;
        return runs;
      },
      { store: fixture.store, now: () => clockMs, onOutcome: (outcome) => outcomes.push(outcome.type) },
    );
    const event = createSqsEvent([createSqsRecord(id)]);

    // Act
    const timedOut = handler(event, createLambdaContext({ remainingMs: 5_000 }));
    while (runs === 0) await new Promise((resolve) => setImmediate(resolve));
    clockMs += 4_000;
    const beforeDeadline = await handler(event, createLambdaContext());
    clockMs += 2_000;
    const afterDeadline = await handler(event, createLambdaContext());
    finishFirst();
    await timedOut;
    const redeliveredAgain = await handler(event, createLambdaContext());

    // Assert
    expect(failedMessageIds(beforeDeadline)).toEqual([id]);
    expect(failedMessageIds(afterDeadline)).toEqual([]);
    expect(failedMessageIds(redeliveredAgain)).toEqual([]);
    expect(runs).toBe(2);
    expect(outcomes).toEqual(['claimed', 'in-progress', 'claimed', 'completed', 'lease-lost', 'replayed']);
  });

  it('fails every record without running any handler when the store is unreachable', async () => {
    // Arrange
    const unreachable = new DynamoDBClient({ ...localDynamoDBClientConfig, endpoint: `http://127.0.0.1:${await findFreePort()}`, maxAttempts: 1 });
    const errors: unknown[] = [];
    const { runs, handleRecord } = createCountingHandler();
    const handler = createSqsBatchHandler(handleRecord, {
      store: createDynamoDBStore({ tableName: fixture.tableName, client: unreachable }),
      logger: (message, details) => message === 'SQS record failed' && errors.push(details.error),
    });
    const ids = [freshId('a'), freshId('b')];

    // Act
    const response = await handler(createSqsEvent(ids.map((id) => createSqsRecord(id))), createLambdaContext());

    // Assert
    expect(failedMessageIds(response)).toEqual(ids);
    expect(runs).toEqual([]);
    expect(errors).toEqual([expect.any(IdempotencyStoreError), expect.any(IdempotencyStoreError)]);
    unreachable.destroy();
  });

  it.each([
    ['another namespace', { namespace: 'refunds' }, 'test-function'],
    ['another function', {}, 'other-function'],
  ])('runs the same message id again under %s', async (_label, options, functionName) => {
    // Arrange
    const { runs, handleRecord } = createCountingHandler();
    const event = createSqsEvent([createSqsRecord(freshId('shared'))]);
    await createSqsBatchHandler(handleRecord, { store: fixture.store })(event, createLambdaContext({ functionName: 'test-function' }));

    // Act
    const response = await createSqsBatchHandler(handleRecord, { store: fixture.store, ...options })(event, createLambdaContext({ functionName }));

    // Assert
    expect(failedMessageIds(response)).toEqual([]);
    expect(runs).toHaveLength(2);
  });

  it('answers with the same partial batch response when wrapped in Middy', async () => {
    // Arrange
    const [a, b] = [freshId('a'), freshId('b')];
    const { runs, handleRecord } = createCountingHandler(new Set([b]));
    const handler = middy(createSqsBatchHandler(handleRecord, { store: fixture.store }));

    // Act
    const response = await handler(createSqsEvent([createSqsRecord(a), createSqsRecord(b)]), createLambdaContext());

    // Assert
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: b }] });
    expect([...runs].sort()).toEqual([a, b].sort());
  });
});
