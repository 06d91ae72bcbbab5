import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PutItemCommand, UpdateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { localDynamoDBClientConfig } from '../../lib/local/local-client-config.js';
import { ensureLocalTables } from '../../lib/local/local-tables.js';
import { startStreamPoller, type StreamPollerOptions } from '../../lib/local/stream-poller.js';
import { countCalls, type CallCounter } from '../support/call-counter.js';
import { createTestClient, dynamoDBEndpoint } from '../support/dynamodb.js';
import { waitFor } from '../support/wait-for.js';

let client: DynamoDBClient;
let streams: DynamoDBStreamsClient;
let calls: CallCounter;

beforeAll(() => {
  client = createTestClient();
  streams = new DynamoDBStreamsClient({ ...localDynamoDBClientConfig, endpoint: dynamoDBEndpoint() });
  calls = countCalls(streams);
});

afterAll(() => {
  client.destroy();
  streams.destroy();
});

/** A fresh orders table with its stream, holding one record per order id written. */
async function createOrdersStream(orderIds: readonly string[]) {
  const suffix = randomUUID().slice(0, 8);
  const ordersTableName = `orders-${suffix}`;
  const streamArn = await ensureLocalTables(client, {
    idempotencyTableName: `idempotency-${suffix}`,
    ordersTableName,
    shipmentsTableName: `shipments-${suffix}`,
  });
  for (const orderId of orderIds) await client.send(new PutItemCommand({ TableName: ordersTableName, Item: { orderId: { S: orderId } } }));
  return { ordersTableName, streamArn };
}

/** Starts a poller whose handler records each batch's order ids and answers with `answer(batch)`; the refresh is off unless given. */
function pollInto(
  batches: string[][],
  options: Pick<StreamPollerOptions, 'streamArn'> & Partial<StreamPollerOptions>,
  answer = (_: DynamoDBStreamEvent) => ({}),
) {
  const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    batches.push(event.Records.map((record) => record.dynamodb?.Keys?.orderId?.S ?? ''));
    return { batchItemFailures: [], ...answer(event) };
  };
  calls.reset();
  return startStreamPoller({
    client: streams,
    handler,
    functionName: 'FulfilOrder',
    functionTimeoutMs: 10_000,
    batchSize: 10,
    retryAttempts: 3,
    idleMs: 1,
    shardRefreshMs: 2 ** 31,
    ...options,
  });
}

describe('startStreamPoller', () => {
  it("delivers a shard's records in order, and again from the sequence number a partial batch failure names", async () => {
    // Arrange
    const orderIds = ['o-1', 'o-2', 'o-3', 'o-4', 'o-5'];
    const { streamArn } = await createOrdersStream(orderIds);
    const batches: string[][] = [];
    const failThirdOnce = (event: DynamoDBStreamEvent) =>
      batches.length === 1 ? { batchItemFailures: [{ itemIdentifier: event.Records[2]?.dynamodb?.SequenceNumber ?? '' }] } : {};

    // Act
    const poller = pollInto(batches, { streamArn }, failThirdOnce);
    await waitFor(() => batches.length === 2);
    await poller.stop();

    // Assert
    expect(batches).toEqual([orderIds, ['o-3', 'o-4', 'o-5']]);
  });

  it('reads each open shard with one GetRecords per idle poll, having described the stream once', async () => {
    // Arrange
    const { streamArn } = await createOrdersStream([]);
    const lines: string[] = [];

    // Act
    const poller = pollInto([], { streamArn, log: (line) => lines.push(line) });
    await waitFor(() => (calls.calls.GetRecordsCommand ?? 0) >= 20);
    await poller.stop();

    // Assert
    expect(calls.calls).toEqual({ DescribeStreamCommand: 1, GetShardIteratorCommand: 1, GetRecordsCommand: expect.any(Number) });
    expect(lines).toEqual([]);
  });

  it('describes the stream again once a shard ends, having delivered its records', async () => {
    // Arrange
    const { ordersTableName, streamArn } = await createOrdersStream(['o-1', 'o-2']);
    const batches: string[][] = [];
    const poller = pollInto(batches, { streamArn });
    await waitFor(() => batches.length === 1);

    // Act: turning the stream off ends its shard.
    await client.send(new UpdateTableCommand({ TableName: ordersTableName, StreamSpecification: { StreamEnabled: false } }));
    await waitFor(() => (calls.calls.DescribeStreamCommand ?? 0) >= 2);
    await poller.stop();

    // Assert
    expect(batches).toEqual([['o-1', 'o-2']]);
    expect(calls.calls.DescribeStreamCommand).toBe(2);
    expect(calls.calls.GetShardIteratorCommand).toBe(1);
  });

  it('describes the stream again at every poll once shardRefreshMs has passed, and keeps reading each shard where it was', async () => {
    // Arrange
    const { streamArn } = await createOrdersStream(['o-1']);
    const batches: string[][] = [];

    // Act
    const poller = pollInto(batches, { streamArn, shardRefreshMs: 0 });
    await waitFor(() => (calls.calls.GetRecordsCommand ?? 0) >= 10);
    await poller.stop();

    // Assert
    expect(calls.calls.DescribeStreamCommand).toBeGreaterThanOrEqual(10);
    expect(calls.calls.GetShardIteratorCommand).toBe(1);
    expect(batches).toEqual([['o-1']]);
  });
});
