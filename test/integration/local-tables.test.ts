import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { createStringKeyTable, ensureLocalTables, type LocalTableNames } from '../../lib/local/local-tables.js';
import { countCalls, type CallCounter } from '../support/call-counter.js';
import { createTestClient } from '../support/dynamodb.js';

let client: DynamoDBClient;
let calls: CallCounter;

beforeAll(() => {
  client = createTestClient();
  calls = countCalls(client);
});

afterAll(() => {
  client.destroy();
});

const freshNames = (): LocalTableNames => {
  const suffix = randomUUID().slice(0, 8);
  return { idempotencyTableName: `idempotency-${suffix}`, ordersTableName: `orders-${suffix}`, shipmentsTableName: `shipments-${suffix}` };
};

describe('ensureLocalTables', () => {
  it('creates the three tables, turning on the orders stream and the idempotency TTL, with one DescribeTable per table', async () => {
    // Arrange
    const names = freshNames();
    calls.reset();

    // Act
    const streamArn = await ensureLocalTables(client, names);

    // Assert
    expect(streamArn).toContain(`table/${names.ordersTableName}/stream/`);
    expect(calls.calls).toEqual({ DescribeTableCommand: 3, CreateTableCommand: 3, UpdateTimeToLiveCommand: 1, UpdateTableCommand: 1 });
  });

  it('on tables that exist, returns the same stream and only describes each table once', async () => {
    // Arrange
    const names = freshNames();
    const first = await ensureLocalTables(client, names);
    calls.reset();

    // Act
    const again = await ensureLocalTables(client, names);

    // Assert
    expect(again).toBe(first);
    expect(calls.calls).toEqual({ DescribeTableCommand: 3 });
  });

  it('turns the stream on for an orders table made without one', async () => {
    // Arrange
    const names = freshNames();
    await createStringKeyTable(client, names.ordersTableName, 'orderId');
    calls.reset();

    // Act
    const streamArn = await ensureLocalTables(client, names);

    // Assert
    expect(streamArn).toContain(`table/${names.ordersTableName}/stream/`);
    expect(calls.calls.UpdateTableCommand).toBe(1);
    expect(calls.calls.DescribeTableCommand).toBe(3);
  });
});
