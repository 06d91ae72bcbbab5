import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startPaymentProvider, type PaymentProvider } from '../../lib/local/payment-provider.js';
import { dynamoDBClient } from '../../functions/shared/clients.js';
import { injectFaults, internalServerError } from '../support/fault-injector.js';
import { startTestApi, type TestApi } from '../support/local-server.js';

// The example orders API with a payment provider: POST /orders charges each order through a step.
const json = { 'Content-Type': 'application/json' };
let api: TestApi;
let provider: PaymentProvider;
let keyCounter = 0;
const newKey = () => `pay-${Date.now()}-${++keyCounter}`;
const postOrder = (key: string, body = '{"productId":"p-1","quantity":2}') =>
  api.send('POST', '/orders', { headers: { ...json, 'Idempotency-Key': key }, body });

beforeAll(async () => {
  provider = await startPaymentProvider();
  api = await startTestApi({ paymentProviderUrl: provider.url });
});
afterAll(async () => {
  await api.stop();
  await provider.close();
});

describe('POST /orders with a payment provider', () => {
  it('charges the order once, stores the charge with it, and replays it without a second charge', async () => {
    // Arrange
    const key = newKey();

    // Act
    const placed = await postOrder(key);
    const replayed = await postOrder(key);
    const stored = (await api.scanOrders()).find((order) => order.orderId === placed.body.orderId);

    // Assert
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({ status: 'PLACED', amountCents: 2 * 1250, chargeId: expect.stringMatching(/^ch_/) });
    expect(replayed.body).toEqual(placed.body);
    expect(provider.chargesFor(placed.body.orderId as string)).toBe(1);
    expect(stored).toMatchObject({ chargeId: placed.body.chargeId, amountCents: 2500 });
  });

  it('does not charge again when the order write failed after the charge: the retry places the charged order', async () => {
    // Arrange: the first transaction fails once the charge is stored (DynamoDB answers 500 past the SDK's retries).
    const key = newKey();
    const requestsBefore = provider.requests();
    const stop = injectFaults(dynamoDBClient, { commands: ['TransactWriteItemsCommand'], error: internalServerError, times: 1 });

    // Act
    const failed = await postOrder(key);
    stop();
    const retried = await postOrder(key);

    // Assert
    expect(failed.status).toBe(503);
    expect(retried.status).toBe(201);
    expect(provider.requests() - requestsBefore).toBe(1);
    expect(provider.chargesFor(retried.body.orderId as string)).toBe(1);
    expect((await api.scanOrders()).filter((order) => order.orderId === retried.body.orderId)).toHaveLength(1);
  });
});
