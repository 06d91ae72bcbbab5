import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PutItemCommand, ScanCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type _Record } from '@aws-sdk/client-dynamodb-streams';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { functionEnvironment } from '../../functions/routes.js';
import { localDynamoDBClientConfig } from '../../lib/local/local-client-config.js';
import { ensureLocalTables } from '../../lib/local/local-tables.js';
import { toDynamoDBStreamEvent } from '../../lib/local/stream-event.js';
import { createTestClient, dynamoDBEndpoint } from '../support/dynamodb.js';
import { countCalls, type CallCounter } from '../support/call-counter.js';
import { injectFaults } from '../support/fault-injector.js';
import { createLambdaContext } from '../support/lambda-context.js';

type StreamHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;

const suffix = randomUUID().slice(0, 8);
const tables = { idempotencyTableName: `idempotency-${suffix}`, ordersTableName: `orders-${suffix}`, shipmentsTableName: `shipments-${suffix}` };
const savedEnvironment = { ...process.env };
let client: DynamoDBClient;
let streams: DynamoDBStreamsClient;
let streamArn: string;
let handler: StreamHandler;
let functionClient: DynamoDBClient;
let functionCalls: CallCounter;

beforeAll(async () => {
  client = createTestClient();
  streams = new DynamoDBStreamsClient({ ...localDynamoDBClientConfig, endpoint: dynamoDBEndpoint() });
  streamArn = await ensureLocalTables(client, tables);
  process.env[functionEnvironment.dynamoDBEndpoint] = dynamoDBEndpoint();
  process.env[functionEnvironment.idempotencyTableName] = tables.idempotencyTableName;
  process.env[functionEnvironment.ordersTableName] = tables.ordersTableName;
  process.env[functionEnvironment.shipmentsTableName] = tables.shipmentsTableName;
  handler = ((await import('../../functions/orders/fulfil-order.js')) as { handler: StreamHandler }).handler;
  functionClient = ((await import('../../functions/shared/clients.js')) as { dynamoDBClient: DynamoDBClient }).dynamoDBClient;
  functionCalls = countCalls(functionClient);
});

afterAll(() => {
  client.destroy();
  streams.destroy();
  for (const name of Object.values(functionEnvironment)) {
    if (savedEnvironment[name] === undefined) delete process.env[name];
    else process.env[name] = savedEnvironment[name];
  }
});

const placeOrders = async (count: number) => {
  const orderIds = Array.from({ length: count }, () => randomUUID());
  for (const orderId of orderIds) {
    await client.send(new PutItemCommand({ TableName: tables.ordersTableName, Item: { orderId: { S: orderId }, status: { S: 'PLACED' } } }));
  }
  return orderIds;
};

/** Every record of the orders stream about `orderIds`, from the trim horizon: what a new reader of the stream gets. */
async function readStream(orderIds: readonly string[]): Promise<_Record[]> {
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const records: _Record[] = [];
  for (const shard of StreamDescription?.Shards ?? []) {
    let { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    while (ShardIterator !== undefined) {
      const answer = await streams.send(new GetRecordsCommand({ ShardIterator }));
      if ((answer.Records ?? []).length === 0) break;
      records.push(...(answer.Records ?? []));
      ShardIterator = answer.NextShardIterator;
    }
  }
  return records.filter((record) => orderIds.includes(record.dynamodb?.Keys?.orderId?.S ?? ''));
}

const deliver = (records: readonly _Record[]) => handler(toDynamoDBStreamEvent(records, streamArn), createLambdaContext({ functionName: 'FulfilOrder' }));
const failedSequenceNumbers = (response: DynamoDBBatchResponse) => response.batchItemFailures.map((failure) => failure.itemIdentifier);

/** The shipments of `orderIds`, as order id → number of shipments. */
async function shipmentsPerOrder(orderIds: readonly string[]): Promise<Record<string, number>> {
  const { Items = [] } = await client.send(new ScanCommand({ TableName: tables.shipmentsTableName, ConsistentRead: true }));
  const counts = Object.fromEntries(orderIds.map((orderId) => [orderId, 0]));
  for (const item of Items) {
    const orderId = item.orderId?.S ?? '';
    if (orderId in counts) counts[orderId] = (counts[orderId] ?? 0) + 1;
  }
  return counts;
}
const oneEach = (orderIds: readonly string[]) => Object.fromEntries(orderIds.map((orderId) => [orderId, 1]));

describe('fulfil-order, the orders stream consumer', () => {
  it('ships each placed order once when the stream is read twice, its own updates included', async () => {
    // Arrange
    const orderIds = await placeOrders(3);
    const firstRead = await readStream(orderIds);

    // Act
    const first = await deliver(firstRead);
    const secondRead = await readStream(orderIds);
    functionCalls.reset();
    const second = await deliver(secondRead);

    // Assert
    expect(failedSequenceNumbers(first)).toEqual([]);
    expect(failedSequenceNumbers(second)).toEqual([]);
    expect(secondRead.length).toBe(6);
    // A replay per placement (its claim finds the completed record), nothing for the fulfilment updates.
    expect(functionCalls.calls).toEqual({ PutItemCommand: 3 });
    expect(await shipmentsPerOrder(orderIds)).toEqual(oneEach(orderIds));
  });

  it('names the record where a consumer failed midway, runs nothing after it, and ships each order once on every redelivery', async () => {
    // Arrange
    const orderIds = await placeOrders(3);
    const records = await readStream(orderIds);
    const draws = [0.9, 0.1];
    const removeFault = injectFaults(functionClient, { commands: ['TransactWriteItemsCommand'], share: 0.5, times: 1, random: () => draws.shift() ?? 0.9 });

    // Act
    const failing = await deliver(records);
    const shippedBeforeRetry = await shipmentsPerOrder(orderIds);
    removeFault();
    const retryFrom = records.findIndex((record) => record.dynamodb?.SequenceNumber === failedSequenceNumbers(failing)[0]);
    const retried = await deliver(records.slice(retryFrom));
    const wholeBatchAgain = await deliver(records);

    // Assert
    expect(failedSequenceNumbers(failing)).toEqual([records[1]?.dynamodb?.SequenceNumber]);
    expect(shippedBeforeRetry).toEqual({ [orderIds[0] as string]: 1, [orderIds[1] as string]: 0, [orderIds[2] as string]: 0 });
    expect(failedSequenceNumbers(retried)).toEqual([]);
    expect(failedSequenceNumbers(wholeBatchAgain)).toEqual([]);
    expect(await shipmentsPerOrder(orderIds)).toEqual(oneEach(orderIds));
  });

  it('ships nothing for an order cancelled before its placement reached the consumer, and does not retry it', async () => {
    // Arrange
    const [orderId] = (await placeOrders(1)) as [string];
    await client.send(
      new UpdateItemCommand({
        TableName: tables.ordersTableName,
        Key: { orderId: { S: orderId } },
        UpdateExpression: 'SET #status = :cancelled',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':cancelled': { S: 'CANCELLED' } },
      }),
    );

    // Act
    const response = await deliver(await readStream([orderId]));

    // Assert
    expect(failedSequenceNumbers(response)).toEqual([]);
    expect(await shipmentsPerOrder([orderId])).toEqual({ [orderId]: 0 });
  });
});
