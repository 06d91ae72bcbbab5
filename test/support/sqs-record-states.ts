import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { createDynamoDBStore, createSqsBatchHandler, deriveRecordId, type DynamoDBStore, type SqsBatchHandlerOptions } from '../../lib/idempotency/index.js';
import { countCalls, type CallCounter } from './call-counter.js';
import { createLayoutTable, createTestClient, layoutKey, type TableLayout } from './dynamodb.js';
import { createGate } from './gate.js';
import { createLambdaContext } from './lambda-context.js';
import { createSqsEvent, createSqsRecord, failedMessageIds, redeliverSqsRecord } from './sqs-events.js';
import { waitFor } from './wait-for.js';

/** A payment message body: the payment is the key, its amount the fingerprint. */
export const payment = (paymentId: string, cents = 4_200) => JSON.stringify({ paymentId, cents });

/** Batch handler options that key a message on its payment and fingerprint it on its amount. */
export const paymentKeyOptions: Pick<SqsBatchHandlerOptions, 'key' | 'fingerprint'> = {
  key: (record) => (JSON.parse(record.body) as { paymentId: string }).paymentId,
  fingerprint: (record) => (JSON.parse(record.body) as { cents: number }).cents,
};

/** `count` payment messages, each its own payment, with ids starting with `label`. */
export const paymentMessages = (label: string, count: number) =>
  Array.from({ length: count }, (_, index) => {
    const id = `${label}-${index}-${randomUUID()}`;
    return createSqsRecord(id, { body: payment(id) });
  });

/** Every state a message's record can be in when the message arrives again, each set up by {@link arrangeRecordStates}. */
export const recordStates = [
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
/** One of {@link recordStates}. */
export type RecordState = (typeof recordStates)[number];
/** The state a message of {@link arrangeRecordStates} was set up in, read from its id. */
export const stateOf = (messageId: string) => messageId.split('|')[0] as RecordState;

/** A second idempotency table in `layout`, with its own client and call counter. */
export async function createSecondStore(layout: TableLayout) {
  const client = createTestClient();
  const counter = countCalls(client);
  const store = createDynamoDBStore({ tableName: await createLayoutTable(client, layout), client, ...layout });
  return { store, calls: counter, destroy: () => client.destroy() };
}

/**
 * Brings one message per {@link recordStates} entry into that state in `store` through the batch handler itself (and,
 * for `unreadable`, a status this library never writes), and returns each message again, in that order: as SQS
 * redelivers it (`redelivery`), or as a producer sends it again (`resent`, a first delivery under a new message id
 * with the same payment). The `completed with another payload` message comes back with another amount.
 */
export async function arrangeRecordStates(store: DynamoDBStore, layout: TableLayout) {
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
      { store, ...paymentKeyOptions, ...options },
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
  const again = recordStates.map((state) => {
    const record = records.get(state)!;
    return state === 'completed with another payload' ? { ...record, body: payment(record.messageId, 9_900) } : record;
  });
  return {
    redelivery: again.map(redeliverSqsRecord),
    resent: again.map((record) => ({ ...record, messageId: `${record.messageId}|resent` })),
    finish: async () => {
      gate.open();
      await Promise.all(running);
    },
  };
}

/** How the messages of every record state were answered: failed or not, and whether the handler ran, per state. */
export type RecordStateAnswers = { state: RecordState; failed: boolean; ran: boolean }[];

/** The answers the claims alone give each record state, whichever way the messages come again. */
export const claimAnswers: RecordStateAnswers = [
  { state: 'never claimed', failed: false, ran: true },
  { state: 'completed', failed: false, ran: false },
  { state: 'completed with another payload', failed: true, ran: false },
  { state: 'completed without its result', failed: false, ran: false },
  { state: 'released after a failure', failed: false, ran: true },
  { state: 'held by a running invocation', failed: true, ran: false },
  { state: 'held past its lease', failed: false, ran: true },
  { state: 'completed past its retention', failed: false, ran: true },
  { state: 'unreadable', failed: true, ran: false },
];

/**
 * Sets up every record state in two tables of `layout` (the first is `store`, counted by `calls`), then sends the
 * messages again (`again`: redelivered, or resent as first deliveries) through a batch handler on each, with
 * `withOption` on the first table and the option off on the second. Returns the answers and the calls per table.
 */
export async function answerRecordStatesTwice(
  store: DynamoDBStore,
  calls: CallCounter,
  layout: TableLayout,
  again: 'redelivery' | 'resent',
  option: 'prefetchRedelivered' | 'preclaimFirstDeliveries',
) {
  const second = await createSecondStore(layout);
  const stores = [store, second.store];
  const arranged = [await arrangeRecordStates(store, layout), await arrangeRecordStates(second.store, layout)];
  const counters = [calls, second.calls];
  for (const counter of counters) counter.reset();
  const answers: RecordStateAnswers[] = [];
  const sent: Record<string, number>[] = [];
  for (const [index, each] of stores.entries()) {
    const { finish, ...messages } = arranged[index]!;
    const records = messages[again];
    const ran = new Set<string>();
    // Five seconds on: the record completed with a one-second retention is past it. One record at a time, so that
    // each completion is its own UpdateItem (records finishing together would share one) and the calls compare exactly.
    const handler = createSqsBatchHandler(async (record: SQSRecord) => void ran.add(record.messageId), {
      store: each,
      ...paymentKeyOptions,
      maxConcurrency: 1,
      now: () => Date.now() + 5_000,
      [option]: index === 0,
    });
    const failed = new Set(failedMessageIds(await handler(createSqsEvent(records), createLambdaContext())));
    answers.push(records.map(({ messageId }) => ({ state: stateOf(messageId), failed: failed.has(messageId), ran: ran.has(messageId) })));
    sent.push({ ...counters[index]!.calls });
    await finish();
  }
  second.destroy();
  return { answers, sent };
}
