import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { startTestApi, type TestApi } from '../support/local-server.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.stop();
});

const json = { 'Content-Type': 'application/json' };
const placeOrder = () => api.send('POST', '/orders', { headers: { ...json, 'Idempotency-Key': randomUUID() }, body: '{"productId":"p-1","quantity":1}' });

/** Reads the order until the stream consumer has fulfilled it; the test's own timeout bounds the wait. */
async function awaitFulfilment(orderId: string): Promise<Record<string, unknown>> {
  for (;;) {
    const order = (await api.send('GET', `/orders/${orderId}`)).body;
    if (order.shipmentId !== undefined) return order;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('npm start: the orders stream feeds fulfil-order', () => {
  it('shows a placed order fulfilled a moment later, with exactly one shipment', async () => {
    // Act
    const placed = await placeOrder();
    const orderId = placed.body.orderId as string;
    const order = await awaitFulfilment(orderId);

    // Assert
    expect(placed.status).toBe(201);
    expect(order).toMatchObject({ orderId, status: 'PLACED', shipmentId: expect.any(String), fulfilledAt: expect.any(String) });
    const shipments = (await api.scanShipments()).filter((shipment) => shipment.orderId === orderId);
    expect(shipments).toEqual([expect.objectContaining({ orderId, shipmentId: order.shipmentId })]);
  });

  it('stops its stream reader with the server, and a restarted server reads the stream again without shipping twice', async () => {
    // Arrange
    const orderIds: string[] = [];
    for (let restart = 0; restart < 3; restart += 1) {
      orderIds.push((await placeOrder()).body.orderId as string);
      await api.restart();
    }

    // Act
    for (const orderId of orderIds) await awaitFulfilment(orderId);

    // Assert
    const shipments = (await api.scanShipments()).filter((shipment) => orderIds.includes(shipment.orderId as string));
    expect(shipments.map((shipment) => shipment.orderId).sort()).toEqual([...orderIds].sort());
  });
});
