import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort, startDynamoDBLocal, type DynamoDBLocal } from '../../lib/local/dynamodb-local.js';
import { isTypedRefusal } from '../support/http-outcome.js';
import { startTestApi, type TestApi, type TestResponse } from '../support/local-server.js';

// A second DynamoDB Local of this file's own, on disk so that its tables and items survive a restart on the same
// port; the suite's shared DynamoDB Local is never touched.
const dataPath = mkdtempSync(join(tmpdir(), 'dynamodb-outage-'));
const suiteEndpoint = process.env.DYNAMODB_ENDPOINT;
let port: number;
let dynamo: DynamoDBLocal;
let api: TestApi;
const runId = Math.random().toString(36).slice(2, 8);

beforeAll(async () => {
  port = await findFreePort();
  dynamo = await startDynamoDBLocal({ port, dataPath, startTimeoutMs: 90_000 });
  api = await startTestApi({ dynamoDBEndpoint: dynamo.endpoint });
}, 120_000);

afterAll(async () => {
  await api.stop();
  await dynamo.stop();
  rmSync(dataPath, { recursive: true, force: true });
  process.env.DYNAMODB_ENDPOINT = suiteEndpoint;
});

const postOrder = (key: string) =>
  api.send('POST', '/orders', {
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key },
    body: JSON.stringify({ productId: 'p-1', quantity: 1, customerId: key }),
  });

const asAnswer = (response: TestResponse) => ({
  statusCode: response.status,
  headers: Object.fromEntries(response.headers.entries()),
  body: JSON.stringify(response.body),
});

describe('DynamoDB Local stopped under the running orders API, then restarted on the same port', () => {
  it('answers 503 problem+json with Retry-After during the outage, then recovers with exactly one order per key', async () => {
    // Arrange
    const placedKey = `placed-${runId}`;
    const outageKeys = Array.from({ length: 5 }, (_, index) => `outage-${runId}-${index}`);
    const placed = await postOrder(placedKey);
    await dynamo.stop();

    // Act
    const duringOutage = await Promise.all([...outageKeys, placedKey].map(postOrder));
    dynamo = await startDynamoDBLocal({ port, dataPath, startTimeoutMs: 90_000 });
    const afterRestart = await Promise.all(outageKeys.map(postOrder));
    const replayAfterRestart = await postOrder(placedKey);
    const retriedAgain = await Promise.all(outageKeys.map(postOrder));
    const orders = await api.scanOrders();

    // Assert
    expect(placed.status).toBe(201);
    for (const response of duringOutage) {
      expect(response.status).toBe(503);
      expect(response.body.type).toBe('urn:lambda-idempotency:store-unavailable');
      expect(isTypedRefusal(asAnswer(response))).toBe(true);
    }
    expect(afterRestart.map((response) => response.status)).toEqual(outageKeys.map(() => 201));
    expect(replayAfterRestart.status).toBe(201);
    expect(replayAfterRestart.headers.get('idempotent-replayed')).toBe('true');
    expect(replayAfterRestart.body.orderId).toBe(placed.body.orderId);
    expect(retriedAgain.map((response) => response.body.orderId)).toEqual(afterRestart.map((response) => response.body.orderId));
    const ordersPerKey = new Map<unknown, number>();
    for (const order of orders) ordersPerKey.set(order.customerId, (ordersPerKey.get(order.customerId) ?? 0) + 1);
    expect(Object.fromEntries(ordersPerKey)).toEqual(Object.fromEntries([placedKey, ...outageKeys].map((key) => [key, 1])));
  }, 120_000);
});
