import { beforeAll, describe, expect, it } from '@jest/globals';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { Context, SQSRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { completeWithTransaction, createSqsBatchHandler, type IdempotencyOutcome } from '../../lib/idempotency/index.js';
import { countCalls, type CallCounter } from '../support/call-counter.js';
import { createOrdersTable } from '../support/dynamodb.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { createSqsEvent, createSqsRecord, failedMessageIds } from '../support/sqs-events.js';
import { createGate } from '../support/gate.js';
import { useStoreFixture } from '../support/store-fixture.js';
import { waitFor } from '../support/wait-for.js';

const fixture = useStoreFixture();
let calls: CallCounter;
let ordersTableName: string;

beforeAll(async () => {
  calls = countCalls(fixture.client);
  ordersTableName = await createOrdersTable(fixture.client);
});

const ids = (label: string, count: number) => Array.from({ length: count }, (_, index) => `${label}-${index}-${randomUUID()}`);
const scanTable = async (tableName: string) => (await fixture.client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }))).Items ?? [];

describe('createSqsBatchHandler running records concurrently', () => {
  it('runs every record of a standard batch at the same time, up to maxConcurrency', async () => {
    // Arrange
    const gate = createGate();
    const running = new Set<string>();
    let mostRunning = 0;
    const handler = createSqsBatchHandler(
      async (record: SQSRecord) => {
        running.add(record.messageId);
        mostRunning = Math.max(mostRunning, running.size);
        await gate.opened;
        running.delete(record.messageId);
      },
      { store: fixture.store, maxConcurrency: 3 },
    );
    const messageIds = ids('parallel', 5);

    // Act
    const response = handler(createSqsEvent(messageIds.map((id) => createSqsRecord(id))), createLambdaContext());
    await waitFor(() => running.size === 3);
    gate.open();

    // Assert
    expect(failedMessageIds(await response)).toEqual([]);
    expect(mostRunning).toBe(3);
  });

  it('runs one FIFO message group in order while another group runs beside it', async () => {
    // Arrange
    const gate = createGate();
    const [g1, g2] = ids('group', 2);
    const started: string[] = [];
    const handler = createSqsBatchHandler(
      async (record: SQSRecord) => {
        started.push(record.messageId);
        if (record.messageId === 'g1-first') await gate.opened;
      },
      { store: fixture.store, key: (record) => `${record.messageId}-${g1}` },
    );
    const fifo = (id: string, group: string) => createSqsRecord(id, { messageGroupId: group });

    // Act
    const response = handler(createSqsEvent([fifo('g1-first', g1), fifo('g1-second', g1), fifo('g2-first', g2), fifo('g2-second', g2)]), createLambdaContext());
    await waitFor(() => started.length === 3);
    const whileFirstRan = [...started];
    gate.open();

    // Assert
    expect(failedMessageIds(await response)).toEqual([]);
    expect([...whileFirstRan].sort()).toEqual(['g1-first', 'g2-first', 'g2-second']);
    expect(whileFirstRan.indexOf('g2-first')).toBeLessThan(whileFirstRan.indexOf('g2-second'));
    expect(started.slice(3)).toEqual(['g1-second']);
  });

  it.each([
    ['answering at once', 0],
    ['waiting for a result', 5_000],
  ])('runs the handler once for two records of one batch with the same key, %s, and fails neither', async (_label, waitForInProgressMs) => {
    // Arrange
    const gate = createGate();
    const outcomes: string[] = [];
    let runs = 0;
    const handler = createSqsBatchHandler(
      async () => {
        runs += 1;
        await gate.opened;
        return { runs };
      },
      {
        store: fixture.store,
        waitForInProgressMs,
        key: (record) => JSON.parse(record.body).paymentId ?? record.messageId,
        onOutcome: (outcome) => outcomes.push(outcome.type),
      },
    );
    const body = JSON.stringify({ paymentId: randomUUID() });
    const [first, second, other] = ids('same-key', 3);

    // Act
    const response = handler(
      createSqsEvent([createSqsRecord(first, { body }), createSqsRecord(other), createSqsRecord(second, { body })]),
      createLambdaContext({ remainingMs: 60_000 }),
    );
    await waitFor(() => runs === 2);
    gate.open();

    // Assert
    expect(failedMessageIds(await response)).toEqual([]);
    expect(runs).toBe(2);
    expect(outcomes.filter((type) => type === 'replayed')).toHaveLength(1);
  });

  it('waits, with waitForInProgressMs, for a record that another batch is running, and replays it', async () => {
    // Arrange
    const gate = createGate();
    let runs = 0;
    const handler = createSqsBatchHandler(
      async () => {
        runs += 1;
        await gate.opened;
      },
      { store: fixture.store, waitForInProgressMs: 30_000 },
    );
    const event = createSqsEvent([createSqsRecord(randomUUID())]);
    const context = () => createLambdaContext({ remainingMs: 60_000 });

    // Act
    const running = handler(event, context());
    await waitFor(() => runs === 1);
    const overlapping = handler(event, context());
    gate.open();

    // Assert
    expect(failedMessageIds(await running)).toEqual([]);
    expect(failedMessageIds(await overlapping)).toEqual([]);
    expect(runs).toBe(1);
  });

  it("completes each record's own claim when records holding their claims at once commit transactions in reverse order", async () => {
    // Arrange
    const count = 8;
    const orderIds = ids('order', count);
    const arrived: string[] = [];
    const turns = new Map(orderIds.map((orderId) => [orderId, createGate()]));
    const outcomes: IdempotencyOutcome[] = [];
    const placeOrder = async (record: SQSRecord, context: Context) => {
      const orderId = record.body;
      arrived.push(orderId);
      await turns.get(orderId)?.opened;
      const put = { Put: { TableName: ordersTableName, Item: { orderId: { S: orderId }, placedBy: { S: record.messageId } } } };
      await completeWithTransaction(context, { writes: [put], result: { orderId } });
      return { orderId };
    };
    const handler = createSqsBatchHandler(placeOrder, { store: fixture.store, namespace: 'orders', onOutcome: (outcome) => outcomes.push(outcome) });
    const event = createSqsEvent(orderIds.map((orderId) => createSqsRecord(`message-${orderId}`, { body: orderId })));

    // Act
    const first = handler(event, createLambdaContext());
    await waitFor(() => arrived.length === count);
    for (const orderId of [...orderIds].reverse()) turns.get(orderId)?.open();
    const firstResponse = await first;
    calls.reset();
    const redelivered = await handler(event, createLambdaContext());
    const redeliveryCalls = { ...calls.calls };

    // Assert
    expect(failedMessageIds(firstResponse)).toEqual([]);
    expect(failedMessageIds(redelivered)).toEqual([]);
    expect(outcomes.filter((outcome) => outcome.type === 'lease-lost')).toEqual([]);
    const completed = outcomes.filter((outcome) => outcome.type === 'completed').map((outcome) => outcome.recordId);
    expect(new Set(completed).size).toBe(count);
    const storedResults = (await scanTable(fixture.tableName)).filter((item) => completed.includes(item.id?.S)).map((item) => item.data?.S);
    expect(storedResults.sort()).toEqual(orderIds.map((orderId) => JSON.stringify({ orderId })).sort());
    const orders = (await scanTable(ordersTableName)).filter((item) => orderIds.includes(item.orderId?.S ?? ''));
    expect(orders.map((item) => [item.orderId?.S, item.placedBy?.S]).sort()).toEqual(orderIds.map((orderId) => [orderId, `message-${orderId}`]).sort());
    // The same event again: every key has a record, so the claim ahead is refused and each record claims alone.
    expect(redeliveryCalls).toEqual({ BatchExecuteStatementCommand: Math.ceil(count / 25), PutItemCommand: count });
  });
});
