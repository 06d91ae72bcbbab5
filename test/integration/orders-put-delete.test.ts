import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApi, type TestApi } from '../support/local-server.js';

const json = { 'Content-Type': 'application/json' };
const order = JSON.stringify({ productId: 'p-2', quantity: 5 });
let api: TestApi;
const newIntent = async () => {
  const response = await api.send('POST', '/order-intents');
  return { response, orderId: response.body.orderId as string };
};
const putOrder = (orderId: string, body = order, headers: Record<string, string> = {}) =>
  api.send('PUT', `/orders/${orderId}`, { headers: { ...json, ...headers }, body });
const deleteOrder = (orderId: string) => api.send('DELETE', `/orders/${orderId}`);

beforeAll(async () => {
  api = await startTestApi();
});

afterAll(async () => {
  await api.stop();
});

describe('POST /order-intents', () => {
  it('issues a PENDING order id with 201 and a Location, without an Idempotency-Key', async () => {
    const { response, orderId } = await newIntent();
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ orderId: expect.any(String), status: 'PENDING' });
    expect(response.headers.get('location')).toBe(`/orders/${orderId}`);
  });
});

describe('PUT /orders/{orderId}', () => {
  it('places the order with 201 the first time and replays the same 201 for the identical PUT', async () => {
    // Arrange
    const { orderId } = await newIntent();
    // Act
    const first = await putOrder(orderId);
    const second = await putOrder(orderId);
    // Assert
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ orderId, productId: 'p-2', quantity: 5, status: 'PLACED', createdAt: expect.any(String) });
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
  });

  it('answers 422 for another body on an order already placed, and keeps the order unchanged', async () => {
    const { orderId } = await newIntent();
    await putOrder(orderId);
    const response = await putOrder(orderId, JSON.stringify({ productId: 'p-2', quantity: 6 }));
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ type: 'urn:lambda-idempotency:payload-mismatch' });
    expect((await api.send('GET', `/orders/${orderId}`)).body).toMatchObject({ quantity: 5, status: 'PLACED' });
  });

  it('answers 404 problem+json for an id that was never issued', async () => {
    const response = await putOrder('never-issued');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body).toMatchObject({ type: 'urn:orders-api:order-not-found', status: 404 });
  });

  it('accepts an Idempotency-Key header without letting it change the key', async () => {
    const { orderId } = await newIntent();
    const first = await putOrder(orderId, order, { 'Idempotency-Key': 'one' });
    const second = await putOrder(orderId, order, { 'Idempotency-Key': 'two' });
    expect(first.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
  });

  it('answers 409 problem+json when placing a cancelled order', async () => {
    const { orderId } = await newIntent();
    await deleteOrder(orderId);
    const response = await putOrder(orderId);
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ type: 'urn:orders-api:order-state', status: 409 });
  });
});

describe('DELETE /orders/{orderId}', () => {
  it('cancels with 200 and replays the same 200 for a repeated DELETE, not a 404', async () => {
    // Arrange
    const { orderId } = await newIntent();
    await putOrder(orderId);
    // Act
    const first = await deleteOrder(orderId);
    const second = await deleteOrder(orderId);
    // Assert
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ orderId, status: 'CANCELLED', cancelledAt: expect.any(String) });
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect((await api.send('GET', `/orders/${orderId}`)).body).toMatchObject({ status: 'CANCELLED', cancelledAt: first.body.cancelledAt });
  });

  it('answers 404 for an unknown id', async () => {
    const response = await deleteOrder('unknown-order');
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ type: 'urn:orders-api:order-not-found' });
  });

  it('keeps PUT and DELETE of one id in separate records', async () => {
    const { orderId } = await newIntent();
    const deleted = await deleteOrder(orderId);
    const put = await putOrder(orderId);
    expect(deleted.status).toBe(200);
    expect(put.status).toBe(409);
    expect(put.headers.get('idempotent-replayed')).toBeNull();
  });
});

describe('GET /orders/{orderId}', () => {
  it('answers 200 with the order, and 404 problem+json for an unknown id', async () => {
    const { orderId } = await newIntent();
    await putOrder(orderId);
    const found = await api.send('GET', `/orders/${orderId}`);
    const missing = await api.send('GET', '/orders/nope');
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ orderId, status: 'PLACED', productId: 'p-2', quantity: 5 });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
  });
});

describe('routing', () => {
  it("answers an unknown path and a method the path does not have with API Gateway REST's 403, never a 404 an order could mean", async () => {
    const missingToken = {
      status: 403,
      body: { type: 'urn:orders-api:gateway:MISSING_AUTHENTICATION_TOKEN', title: 'Missing Authentication Token', requestId: expect.any(String) },
    };
    expect(await api.send('GET', '/nothing')).toMatchObject(missingToken);
    expect(await api.send('PATCH', '/orders/1')).toMatchObject(missingToken);
  });
});
