import { beforeAll, describe, expect, it } from '@jest/globals';
import { PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { Context, SQSRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { completeWithTransaction, createSqsBatchHandler, IdempotencyTransactionCanceledError } from '../../lib/idempotency/index.js';
import { countCalls, type CallCounter } from '../support/call-counter.js';
import { createOrdersTable } from '../support/dynamodb.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { createSqsEvent, createSqsRecord, failedMessageIds } from '../support/sqs-events.js';
import { useStoreFixture } from '../support/store-fixture.js';

const fixture = useStoreFixture();
let calls: CallCounter;
let ordersTableName: string;

beforeAll(async () => {
  calls = countCalls(fixture.client);
  ordersTableName = await createOrdersTable(fixture.client);
});

const orderIdOf = (record: SQSRecord) => (JSON.parse(record.body) as { orderId: string }).orderId;
const orderRecord = (orderId: string) => createSqsRecord(randomUUID(), { body: JSON.stringify({ orderId }) });
const countOrders = async (orderIds: string[]) => {
  const { Items = [] } = await fixture.client.send(new ScanCommand({ TableName: ordersTableName, ConsistentRead: true }));
  return Items.filter((item) => orderIds.includes(item.orderId?.S ?? '')).length;
};

/** Places one order per record: the order and the record's completion commit in one transaction. */
async function placeOrder(record: SQSRecord, context: Context) {
  const orderId = orderIdOf(record);
  const result = { orderId, status: 'PLACED' };
  const put = { Put: { TableName: ordersTableName, Item: { orderId: { S: orderId } }, ConditionExpression: 'attribute_not_exists(orderId)' } };
  await completeWithTransaction(context, { writes: [put], result });
  return result;
}

describe('createSqsBatchHandler with completeWithTransaction', () => {
  it("gives each record handler a context of its own that reads as the invocation's, and refuses a commit through the invocation's context", async () => {
    // Arrange
    const invocation = createLambdaContext({ functionName: 'orders-worker', remainingMs: 12_345 });
    const seen: Array<{ same: boolean; functionName: string; spread: unknown; awsRequestId: string; remainingMs: number; refused: unknown }> = [];
    const handler = createSqsBatchHandler(
      async (record: SQSRecord, context: Context) => {
        // The invocation's context names every record's claim at once, so it names none of them.
        const refused = await completeWithTransaction(invocation, { writes: [], result: {} }).catch((error: unknown) => error);
        seen.push({
          same: context === invocation,
          functionName: context.functionName,
          spread: (JSON.parse(JSON.stringify({ ...context })) as Context).functionName,
          awsRequestId: context.awsRequestId,
          remainingMs: context.getRemainingTimeInMillis(),
          refused,
        });
        return placeOrder(record, context);
      },
      { store: fixture.store, key: orderIdOf },
    );
    const orderIds = [randomUUID(), randomUUID()];

    // Act
    const response = await handler(createSqsEvent(orderIds.map(orderRecord)), invocation);

    // Assert
    expect(failedMessageIds(response)).toEqual([]);
    expect(await countOrders(orderIds)).toBe(2);
    expect(seen).toHaveLength(2);
    for (const view of seen) {
      expect(view).toMatchObject({
        same: false,
        functionName: 'orders-worker',
        spread: 'orders-worker',
        awsRequestId: invocation.awsRequestId,
        remainingMs: 12_345,
      });
      expect(view.refused).toBeInstanceOf(TypeError);
      expect((view.refused as Error).message).toMatch(/the context a batch record handler receives/);
    }
  });

  it("commits each record's order with its completion, and a redelivered batch writes nothing more", async () => {
    // Arrange
    const handler = createSqsBatchHandler(placeOrder, { store: fixture.store, key: orderIdOf });
    const orderIds = [randomUUID(), randomUUID()];
    const event = createSqsEvent(orderIds.map(orderRecord));
    calls.reset();

    // Act
    const first = await handler(event, createLambdaContext());
    const afterFirst = { ...calls.calls };
    const redelivered = await handler(event, createLambdaContext());

    // Assert
    expect(failedMessageIds(first)).toEqual([]);
    expect(failedMessageIds(redelivered)).toEqual([]);
    // The same event again: its keys, claimed ahead together the first time, now have records, so each claims alone.
    expect(afterFirst).toEqual({ BatchExecuteStatementCommand: 1, TransactWriteItemsCommand: 2 });
    expect(calls.calls).toEqual({ BatchExecuteStatementCommand: 2, PutItemCommand: 2, TransactWriteItemsCommand: 2 });
    expect(await countOrders(orderIds)).toBe(2);
  });

  it('fails only the record whose own condition cancels its transaction, writes nothing for it, and releases its key', async () => {
    // Arrange
    const errors: unknown[] = [];
    const handler = createSqsBatchHandler(placeOrder, {
      store: fixture.store,
      key: orderIdOf,
      logger: (message, details) => message === 'SQS record failed' && errors.push(details.error),
    });
    const [taken, free] = [randomUUID(), randomUUID()];
    await fixture.client.send(new PutItemCommand({ TableName: ordersTableName, Item: { orderId: { S: taken }, placedBy: { S: 'someone else' } } }));
    const takenRecord = orderRecord(taken);

    // Act
    const response = await handler(createSqsEvent([takenRecord, orderRecord(free)]), createLambdaContext());
    const retried = await handler(createSqsEvent([takenRecord]), createLambdaContext());

    // Assert
    expect(failedMessageIds(response)).toEqual([takenRecord.messageId]);
    expect(errors[0]).toBeInstanceOf(IdempotencyTransactionCanceledError);
    expect((errors[0] as IdempotencyTransactionCanceledError).reasons).toEqual([expect.objectContaining({ index: 0, code: 'ConditionalCheckFailed' })]);
    expect(failedMessageIds(retried)).toEqual([takenRecord.messageId]);
    expect(errors[1]).toBeInstanceOf(IdempotencyTransactionCanceledError);
    expect(await countOrders([taken, free])).toBe(2);
  });
});
