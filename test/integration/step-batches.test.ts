import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { Context, KinesisStreamRecord, SQSRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { chargePayment, type PaymentCharge } from '../../functions/shared/payments.js';
import { completeWithTransaction, createSqsBatchHandler, createStreamBatchHandler, step, type IdempotencyOutcome } from '../../lib/idempotency/index.js';
import { startPaymentProvider, type PaymentProvider } from '../../lib/local/payment-provider.js';
import { createOrdersTable } from '../support/dynamodb.js';
import { createGate, type Gate } from '../support/gate.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { createSqsEvent, createSqsRecord, failedMessageIds } from '../support/sqs-events.js';
import { createKinesisRecord, failedSequenceNumbers } from '../support/stream-events.js';
import { useStoreFixture } from '../support/store-fixture.js';

const fixture = useStoreFixture();
let provider: PaymentProvider;
let ordersTableName: string;

beforeAll(async () => {
  provider = await startPaymentProvider();
  ordersTableName = await createOrdersTable(fixture.client);
});
afterAll(() => provider.close());

const scanTable = async (tableName: string) => (await fixture.client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }))).Items ?? [];

/** How a record's first attempt goes wrong: the provider's answer is lost inside the step, or the handler fails after it. */
type FirstAttempt = 'answer-lost' | 'fails-after-step' | 'completes';

/**
 * Opens a gate for each round once `parties` step functions of that round are inside it at the same time. A step that
 * lands on another record's claim joins that record's run instead of running its own, so it never arrives: the test
 * then fails by its timeout rather than pass.
 */
function createRoundBarriers(parties: number) {
  const rounds = new Map<number, { inside: number; gate: Gate }>();
  return async (round: number) => {
    const barrier = rounds.get(round) ?? { inside: 0, gate: createGate() };
    rounds.set(round, barrier);
    barrier.inside += 1;
    if (barrier.inside === parties) barrier.gate.open();
    await barrier.gate.opened;
  };
}

/**
 * A record handler that charges its order in step 'charge' and places the order with completeWithTransaction. The
 * first run of each step waits at its round's barrier, so records of a batch are all inside their steps at once.
 */
function createChargingHandler(plan: { parties: number; firstAttempt: (order: string) => FirstAttempt; round: (order: string) => number }) {
  const barrier = createRoundBarriers(plan.parties);
  const stepKeys = new Map<string, string[]>();
  const stepResults = new Map<string, PaymentCharge[]>();
  const attempts = new Map<string, number>();
  const handleOrder = async (order: string, context: Context) => {
    const attempt = (attempts.get(order) ?? 0) + 1;
    attempts.set(order, attempt);
    const charge = await step(context, 'charge', async ({ idempotencyKey }) => {
      const keys = stepKeys.get(order) ?? [];
      stepKeys.set(order, [...keys, idempotencyKey]);
      if (keys.length === 0) await barrier(plan.round(order));
      const made = await chargePayment(provider.url, idempotencyKey, { order, amountCents: 1250 });
      if (attempt === 1 && plan.firstAttempt(order) === 'answer-lost') throw new Error(`lost the provider's answer for ${order}`);
      return made;
    });
    stepResults.set(order, [...(stepResults.get(order) ?? []), charge]);
    if (attempt === 1 && plan.firstAttempt(order) === 'fails-after-step') throw new Error(`could not ship ${order}`);
    const put = { Put: { TableName: ordersTableName, Item: { orderId: { S: order }, chargeId: { S: charge.chargeId } } } };
    const result = { order, chargeId: charge.chargeId };
    await completeWithTransaction(context, { writes: [put], result });
    return result;
  };
  return { handleOrder, stepKeys, stepResults };
}

/** Asserts that every order's step, stored answer and placed order belong to that order, with one charge each. */
async function expectEachRecordsOwnClaim(
  orders: readonly string[],
  observed: { stepKeys: Map<string, string[]>; stepResults: Map<string, PaymentCharge[]>; outcomes: IdempotencyOutcome[] },
  runsPerOrder: (order: string) => number,
) {
  const { stepKeys, stepResults, outcomes } = observed;
  // One key per record, the same on its retry, and no two records sharing one.
  for (const order of orders) expect(new Set(stepKeys.get(order)).size).toBe(1);
  expect(new Set(orders.map((order) => stepKeys.get(order)?.[0])).size).toBe(orders.length);
  expect(Object.fromEntries(orders.map((order) => [order, stepKeys.get(order)?.length]))).toEqual(
    Object.fromEntries(orders.map((order) => [order, runsPerOrder(order)])),
  );
  expect(Object.fromEntries(orders.map((order) => [order, provider.chargesFor(order)]))).toEqual(Object.fromEntries(orders.map((order) => [order, 1])));
  // Every step result a record got, first run or replay, is its own order's one charge.
  const chargeOf = new Map(orders.map((order) => [order, stepResults.get(order)?.[0]?.chargeId]));
  for (const order of orders) {
    expect(stepResults.get(order)?.map((charge) => [charge.order, charge.chargeId])).toEqual(stepResults.get(order)?.map(() => [order, chargeOf.get(order)]));
  }
  // The stored answers of the completed claims, and the orders their transactions placed, pair each order with its charge.
  const completed = outcomes.filter((outcome) => outcome.type === 'completed').map((outcome) => outcome.recordId);
  const stored = (await scanTable(fixture.tableName)).filter((item) => completed.includes(item.id?.S)).map((item) => JSON.parse(item.data?.S ?? 'null'));
  const expected = orders.map((order) => ({ order, chargeId: chargeOf.get(order) }));
  expect(stored.sort(byOrder)).toEqual([...expected].sort(byOrder));
  const placed = (await scanTable(ordersTableName)).filter((item) => orders.includes(item.orderId?.S ?? ''));
  expect(placed.map((item) => ({ order: item.orderId?.S, chargeId: item.chargeId?.S })).sort(byOrder)).toEqual([...expected].sort(byOrder));
  return completed;
}

const byOrder = (left: { order?: string }, right: { order?: string }) => String(left.order).localeCompare(String(right.order));
const replayedIds = (outcomes: IdempotencyOutcome[]) => outcomes.filter((outcome) => outcome.type === 'replayed').map((outcome) => outcome.recordId);

describe('step inside concurrent batch records', () => {
  it("keeps every SQS record's step on its own claim while all records of the batch are inside their steps at once", async () => {
    // Arrange
    const count = 6;
    const orders = Array.from({ length: count }, (_, index) => `step-sqs-${index}-${randomUUID()}`);
    const firstAttempt = (order: string): FirstAttempt => (['answer-lost', 'fails-after-step', 'completes'] as const)[orders.indexOf(order) % 3] ?? 'completes';
    const { handleOrder, stepKeys, stepResults } = createChargingHandler({ parties: count, firstAttempt, round: () => 1 });
    const outcomes: IdempotencyOutcome[] = [];
    const handler = createSqsBatchHandler((record: SQSRecord, context: Context) => handleOrder(record.body, context), {
      store: fixture.store,
      maxConcurrency: count,
      onOutcome: (outcome) => outcomes.push(outcome),
    });
    const records = orders.map((order) => createSqsRecord(`message-${order}`, { body: order }));
    const event = createSqsEvent(records);

    // Act
    const first = await handler(event, createLambdaContext());
    const retried = await handler(event, createLambdaContext());
    const replayedBefore = replayedIds(outcomes).length;
    const redelivered = await handler(event, createLambdaContext());

    // Assert
    const failing = records.filter((record) => firstAttempt(record.body) !== 'completes').map((record) => record.messageId);
    expect(failedMessageIds(first)).toEqual(failing);
    expect(failedMessageIds(retried)).toEqual([]);
    expect(failedMessageIds(redelivered)).toEqual([]);
    const completed = await expectEachRecordsOwnClaim(orders, { stepKeys, stepResults, outcomes }, (order) => (firstAttempt(order) === 'answer-lost' ? 2 : 1));
    expect(replayedIds(outcomes).slice(replayedBefore).sort()).toEqual([...completed].sort());
  });

  it("keeps every stream record's step on its own claim while records of two shards are inside their steps at once", async () => {
    // Arrange
    const streamArn = `arn:aws:kinesis:us-east-1:000000000000:stream/step-${randomUUID()}`;
    const sequences = ['a1', 'b1', 'a2', 'b2', 'a3', 'b3'];
    const orderOf = (record: KinesisStreamRecord) => `${streamArn}-${record.kinesis.sequenceNumber}`;
    const orders = sequences.map((sequence) => `${streamArn}-${sequence}`);
    const attempts: Record<string, FirstAttempt> = { a1: 'answer-lost', b1: 'fails-after-step' };
    const firstAttempt = (order: string): FirstAttempt => attempts[order.slice(-2)] ?? 'completes';
    // Both shards' first records, then their second, then their third, are inside their steps together.
    const { handleOrder, stepKeys, stepResults } = createChargingHandler({ parties: 2, firstAttempt, round: (order) => Number(order.slice(-1)) });
    const outcomes: IdempotencyOutcome[] = [];
    const handler = createStreamBatchHandler((record: KinesisStreamRecord, context: Context) => handleOrder(orderOf(record), context), {
      store: fixture.store,
      onOutcome: (outcome) => outcomes.push(outcome),
    });
    const event = { Records: sequences.map((sequence) => createKinesisRecord(`shardId-${sequence[0]}`, sequence, { streamArn })) };

    // Act
    const first = await handler(event, createLambdaContext());
    const retried = await handler(event, createLambdaContext());
    const replayedBefore = replayedIds(outcomes).length;
    const redelivered = await handler(event, createLambdaContext());

    // Assert
    expect(failedSequenceNumbers(first).sort()).toEqual(['a1', 'b1']);
    expect(failedSequenceNumbers(retried)).toEqual([]);
    expect(failedSequenceNumbers(redelivered)).toEqual([]);
    const completed = await expectEachRecordsOwnClaim(orders, { stepKeys, stepResults, outcomes }, (order) => (firstAttempt(order) === 'answer-lost' ? 2 : 1));
    expect(replayedIds(outcomes).slice(replayedBefore).sort()).toEqual([...completed].sort());
  });
});
