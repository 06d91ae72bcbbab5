import { beforeAll, describe, expect, it } from '@jest/globals';
import { UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { createDynamoDBStore, createSqsBatchHandler, deriveRecordId, type DynamoDBStore, type SqsBatchHandlerOptions } from '../../lib/idempotency/index.js';
import { countCalls, type CallCounter } from '../support/call-counter.js';
import { createLayoutTable, createTestClient, layoutKey, tableLayouts, type TableLayout } from '../support/dynamodb.js';
import { injectFaults } from '../support/fault-injector.js';
import { createGate } from '../support/gate.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { createSqsEvent, createSqsRecord, failedMessageIds, redeliverSqsRecord } from '../support/sqs-events.js';
import { useStoreFixture, type StoreFixture } from '../support/store-fixture.js';
import { waitFor } from '../support/wait-for.js';

type Item = Record<string, AttributeValue>;
const payment = (paymentId: string, cents = 4_200) => JSON.stringify({ paymentId, cents });
const keyOptions: Pick<SqsBatchHandlerOptions, 'key' | 'fingerprint'> = {
  key: (record) => (JSON.parse(record.body) as { paymentId: string }).paymentId,
  fingerprint: (record) => (JSON.parse(record.body) as { cents: number }).cents,
};
const messages = (label: string, count: number) =>
  Array.from({ length: count }, (_, index) => {
    const id = `${label}-${index}-${randomUUID()}`;
    return createSqsRecord(id, { body: payment(id) });
  });

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
      { store: fixture.store, ...keyOptions, ...options },
    );
    return { handler, runs };
  };

  it.each([100, 150])('answers a redelivered batch of %i completed messages with one BatchGetItem per 100 and runs none again', async (size) => {
    // Arrange
    const { handler, runs } = countingHandler();
    const records = messages('completed', size);
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
    const [first] = messages('twice', 1);
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
    const records = messages('first', 5);
    calls.reset();

    // Act
    await handler(createSqsEvent(records), createLambdaContext());
    const firstDelivery = { ...calls.calls };
    calls.reset();
    await withoutReadAhead(createSqsEvent(records.map(redeliverSqsRecord)), createLambdaContext());

    // Assert
    expect(firstDelivery).toEqual({ BatchExecuteStatementCommand: 1, UpdateItemCommand: 5 });
    expect(calls.calls).toEqual({ PutItemCommand: 5 });
  });

  it.each([
    ['fails before the SDK retries it', 'before-retries'],
    ['fails on every attempt inside the SDK retries', 'inside-retries'],
  ] as const)('claims every record as usual when the read %s', async (_case, at) => {
    // Arrange
    const logged: string[] = [];
    const { handler, runs } = countingHandler({ logger: (message) => logged.push(message) });
    const records = messages('read-fault', 4);
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
    const records = messages('unprocessed', 6);
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
    // Arrange: the same states in two tables; one redelivery reads ahead, the other claims every record.
    const second = await createSecondStore(layout);
    const stores = [fixture.store, second.store];
    const arranged = [await arrangeRecordStates(fixture.store, layout), await arrangeRecordStates(second.store, layout)];
    const counters = [calls, second.calls];
    for (const counter of counters) counter.reset();

    // Act
    const answers = [];
    const sent = [];
    for (const [index, store] of stores.entries()) {
      const { redelivery, finish } = arranged[index]!;
      const ran = new Set<string>();
      const handler = createSqsBatchHandler(async (record: SQSRecord) => void ran.add(record.messageId), {
        store,
        ...keyOptions,
        now: () => Date.now() + 5_000,
        prefetchRedelivered: index === 0,
      });
      const failed = new Set(failedMessageIds(await handler(createSqsEvent(redelivery), createLambdaContext())));
      answers.push(redelivery.map(({ messageId }) => ({ state: stateOf(messageId), failed: failed.has(messageId), ran: ran.has(messageId) })));
      sent.push({ ...counters[index]!.calls });
      await finish();
    }
    second.destroy();

    // Assert
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]).toEqual([
      { state: 'never claimed', failed: false, ran: true },
      { state: 'completed', failed: false, ran: false },
      { state: 'completed with another payload', failed: true, ran: false },
      { state: 'completed without its result', failed: false, ran: false },
      { state: 'released after a failure', failed: false, ran: true },
      { state: 'held by a running invocation', failed: true, ran: false },
      { state: 'held past its lease', failed: false, ran: true },
      { state: 'completed past its retention', failed: false, ran: true },
      { state: 'unreadable', failed: true, ran: false },
    ]);
    // Read ahead, the three completed records within retention cost no claim; the others claim as before.
    expect(sent).toEqual([
      { BatchGetItemCommand: 1, PutItemCommand: 6, UpdateItemCommand: 4 },
      { PutItemCommand: 9, UpdateItemCommand: 4 },
    ]);
  });
});

const recordStates = [
  'never claimed',
  'completed',
  'completed with another payload',
  'completed without its result',
  'released after a failure',
  'held by a running invocation',
  'held past its lease',
  'completed past its retention',
  'unreadable',
] as const;
type RecordState = (typeof recordStates)[number];
const stateOf = (messageId: string) => messageId.split('|')[0] as RecordState;

/** A second idempotency table in `layout`, with its own client and call counter. */
async function createSecondStore(layout: TableLayout) {
  const client = createTestClient();
  const counter = countCalls(client);
  const store = createDynamoDBStore({ tableName: await createLayoutTable(client, layout), client, ...layout });
  return { store, calls: counter, destroy: () => client.destroy() };
}

/**
 * Brings one message per {@link recordStates} entry into that state in `store` through the batch handler itself (and,
 * for `unreadable`, a status this library never writes), and returns their redelivery, in that order.
 */
async function arrangeRecordStates(store: DynamoDBStore, layout: TableLayout) {
  const gate = createGate();
  const started = new Set<RecordState>();
  const records = new Map(
    recordStates.map((state) => {
      const messageId = `${state}|${randomUUID()}`;
      return [state, createSqsRecord(messageId, { body: payment(messageId) })];
    }),
  );
  const deliver = (states: readonly RecordState[], options: Partial<SqsBatchHandlerOptions> = {}, remainingMs = 30_000) =>
    createSqsBatchHandler(
      async (record: SQSRecord) => {
        const state = stateOf(record.messageId);
        started.add(state);
        if (state === 'held by a running invocation' || state === 'held past its lease') await gate.opened;
        if (state === 'released after a failure') throw new Error('declined');
        // JSON cannot hold a BigInt: the record completes without its result.
        return state === 'completed without its result' ? 10n : { charged: record.messageId };
      },
      { store, ...keyOptions, ...options },
    )(createSqsEvent(states.map((state) => records.get(state)!)), createLambdaContext({ remainingMs }));

  await deliver(['completed', 'completed with another payload', 'completed without its result', 'released after a failure', 'unreadable']);
  await deliver(['completed past its retention'], { expiresAfterSeconds: 1 });
  const running = [deliver(['held by a running invocation'], {}, 60_000), deliver(['held past its lease'], {}, 1_000)];
  await waitFor(() => started.has('held by a running invocation') && started.has('held past its lease'));
  const unreadableId = deriveRecordId({ functionName: createLambdaContext().functionName, namespace: 'sqs', clientKey: records.get('unreadable')!.messageId });
  await store.client.send(
    new UpdateItemCommand({
      TableName: store.tableName,
      Key: layoutKey(unreadableId, layout),
      UpdateExpression: 'SET #status = :broken',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':broken': { S: 'BROKEN' } },
    }),
  );
  const redelivery = recordStates.map((state) => {
    const record = records.get(state)!;
    return redeliverSqsRecord(state === 'completed with another payload' ? { ...record, body: payment(record.messageId, 9_900) } : record);
  });
  return {
    redelivery,
    finish: async () => {
      gate.open();
      await Promise.all(running);
    },
  };
}

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
