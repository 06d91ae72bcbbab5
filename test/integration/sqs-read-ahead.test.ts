import { beforeAll, describe, expect, it } from '@jest/globals';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { createSqsBatchHandler, type SqsBatchHandlerOptions } from '../../lib/idempotency/index.js';
import { countCalls, type CallCounter } from '../support/call-counter.js';
import { tableLayouts, type TableLayout } from '../support/dynamodb.js';
import { injectFaults } from '../support/fault-injector.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { createSqsEvent, createSqsRecord, failedMessageIds, redeliverSqsRecord } from '../support/sqs-events.js';
import { answerRecordStatesTwice, claimAnswers, paymentKeyOptions, paymentMessages } from '../support/sqs-record-states.js';
import { useStoreFixture, type StoreFixture } from '../support/store-fixture.js';

type Item = Record<string, AttributeValue>;
describe.each(tableLayouts)('createSqsBatchHandler reading redelivered records ahead, on a table keyed by a %s', (_name, layout) => {
  const fixture = useStoreFixture(layout);
  let calls: CallCounter;
  beforeAll(() => {
    calls = countCalls(fixture.client);
  });

  /** A batch handler over the fixture's store that counts its runs per message id. */
  const countingHandler = (options: Partial<SqsBatchHandlerOptions> = {}) => {
    const runs = new Map<string, number>();
    const handler = createSqsBatchHandler(
      async (record: SQSRecord) => {
        runs.set(record.messageId, (runs.get(record.messageId) ?? 0) + 1);
        return { charged: record.messageId };
      },
      { store: fixture.store, ...paymentKeyOptions, ...options },
    );
    return { handler, runs };
  };

  it.each([100, 150])('answers a redelivered batch of %i completed messages with one BatchGetItem per 100 and runs none again', async (size) => {
    // Arrange
    const { handler, runs } = countingHandler();
    const records = paymentMessages('completed', size);
    expect(failedMessageIds(await handler(createSqsEvent(records), createLambdaContext()))).toEqual([]);
    calls.reset();

    // Act
    const response = await handler(createSqsEvent(records.map(redeliverSqsRecord)), createLambdaContext());

    // Assert
    expect(failedMessageIds(response)).toEqual([]);
    expect(calls.calls).toEqual({ BatchGetItemCommand: Math.ceil(size / 100) });
    expect([...runs.values()].every((count) => count === 1)).toBe(true);
    expect(runs.size).toBe(size);
  });

  it('reads a key that two redelivered messages share once, in one BatchGetItem, and replays both', async () => {
    // Arrange: two messages carrying one payment, as a producer that sent it twice makes them.
    const logged: string[] = [];
    const { handler, runs } = countingHandler({ logger: (message) => logged.push(message) });
    const [first] = paymentMessages('twice', 1);
    const twin = createSqsRecord(`twin-${randomUUID()}`, { body: first!.body });
    await handler(createSqsEvent([first!, twin]), createLambdaContext());
    calls.reset();

    // Act
    const response = await handler(createSqsEvent([first!, twin].map(redeliverSqsRecord)), createLambdaContext());

    // Assert
    expect(failedMessageIds(response)).toEqual([]);
    expect(calls.calls).toEqual({ BatchGetItemCommand: 1 });
    expect(logged).toEqual([]);
    expect([...runs.entries()]).toEqual([[first!.messageId, 1]]);
  });

  it('reads nothing ahead for a first delivery (it claims its keys ahead instead), nor with prefetchRedelivered: false', async () => {
    // Arrange
    const { handler } = countingHandler();
    const { handler: withoutReadAhead } = countingHandler({ prefetchRedelivered: false });
    const records = paymentMessages('first', 5);
    calls.reset();

    // Act
    await handler(createSqsEvent(records), createLambdaContext());
    const firstDelivery = { ...calls.calls };
    calls.reset();
    await withoutReadAhead(createSqsEvent(records.map(redeliverSqsRecord)), createLambdaContext());

    // Assert
    // The claims ahead, then the completions of the five records, which finish together.
    expect(firstDelivery).toEqual({ BatchExecuteStatementCommand: 2 });
    expect(calls.calls).toEqual({ PutItemCommand: 5 });
  });

  it.each([
    ['fails before the SDK retries it', 'before-retries'],
    ['fails on every attempt inside the SDK retries', 'inside-retries'],
  ] as const)('claims every record as usual when the read %s', async (_case, at) => {
    // Arrange
    const logged: string[] = [];
    const { handler, runs } = countingHandler({ logger: (message) => logged.push(message) });
    const records = paymentMessages('read-fault', 4);
    await handler(createSqsEvent(records), createLambdaContext());
    calls.reset();
    const stop = injectFaults(fixture.client, { commands: ['BatchGetItemCommand'], at });

    // Act
    const response = await handler(createSqsEvent(records.map(redeliverSqsRecord)), createLambdaContext()).finally(stop);

    // Assert
    expect(failedMessageIds(response)).toEqual([]);
    expect(calls.calls.PutItemCommand).toBe(4);
    expect(calls.calls.UpdateItemCommand).toBeUndefined();
    expect([...runs.values()]).toEqual([1, 1, 1, 1]);
    expect(logged).toContain('Reading records ahead of their claims failed; each record claims its key instead');
  });

  it('claims the records whose keys DynamoDB left unprocessed, and runs none again', async () => {
    // Arrange
    const { handler, runs } = countingHandler();
    const records = paymentMessages('unprocessed', 6);
    await handler(createSqsEvent(records), createLambdaContext());
    calls.reset();
    const stop = leaveHalfTheKeysUnprocessed(fixture, layout);

    // Act
    const response = await handler(createSqsEvent(records.map(redeliverSqsRecord)), createLambdaContext()).finally(stop);

    // Assert
    expect(failedMessageIds(response)).toEqual([]);
    expect(calls.calls).toEqual({ BatchGetItemCommand: 1, PutItemCommand: 3 });
    expect([...runs.values()]).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('answers every state a record can be in exactly as the claims alone would', async () => {
    // Arrange, act: the same states in two tables, the messages sent again to each, with prefetchRedelivered on the first only.
    const { answers, sent } = await answerRecordStatesTwice(fixture.store, calls, layout, 'redelivery', 'prefetchRedelivered');

    // Assert
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]).toEqual(claimAnswers);
    // Read ahead, the three completed records within retention cost no claim; the others claim as before.
    expect(sent).toEqual([
      { BatchGetItemCommand: 1, PutItemCommand: 6, UpdateItemCommand: 4 },
      { PutItemCommand: 9, UpdateItemCommand: 4 },
    ]);
  });
});

/**
 * Fault injector: moves half the keys of every `BatchGetItem` answer to `UnprocessedKeys`, as DynamoDB does when it
 * throttles a batch read or its answer would pass 16 MB. DynamoDB Local always answers every key.
 */
function leaveHalfTheKeysUnprocessed(fixture: StoreFixture, layout: TableLayout): () => void {
  const name = 'faultInjectorUnprocessedKeys';
  fixture.client.middlewareStack.add(
    (next, context) => async (args) => {
      const output = await next(args);
      if (context.commandName !== 'BatchGetItemCommand') return output;
      const answer = output.output as { Responses?: Record<string, Item[]>; UnprocessedKeys?: Record<string, { Keys: Item[] }> };
      const keyOf = (item: Item) =>
        Object.fromEntries(Object.entries(item).filter(([name]) => name === layout.keyAttribute || name === layout.sortKeyAttribute));
      const items = answer.Responses?.[fixture.tableName] ?? [];
      const kept = items.slice(0, Math.ceil(items.length / 2));
      answer.Responses = { [fixture.tableName]: kept };
      answer.UnprocessedKeys = { [fixture.tableName]: { Keys: items.slice(kept.length).map(keyOf) } };
      return output;
    },
    { step: 'initialize', name },
  );
  return () => fixture.client.middlewareStack.remove(name);
}
