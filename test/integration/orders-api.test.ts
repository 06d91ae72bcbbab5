import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApi, type TestApi } from '../support/local-server.js';

const json = { 'Content-Type': 'application/json' };
const order = { productId: 'p-1', quantity: 2 };
let api: TestApi;
let keyCounter = 0;
const newKey = () => `key-${Date.now()}-${++keyCounter}`;
const postOrder = (key: string | undefined, body: string = JSON.stringify(order), headers: Record<string, string> = {}) =>
  api.send('POST', '/orders', { headers: { ...json, ...(key === undefined ? {} : { 'Idempotency-Key': key }), ...headers }, body });

beforeAll(async () => {
  api = await startTestApi();
});

afterAll(async () => {
  await api.stop();
});

describe('POST /orders', () => {
  it('places an order with 201, a Location and the order body', async () => {
    // Act
    const response = await postOrder(newKey(), JSON.stringify({ ...order, customerId: 'c-1' }));
    // Assert
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ orderId: expect.any(String), productId: 'p-1', quantity: 2, customerId: 'c-1', status: 'PLACED', createdAt: expect.any(String) });
    expect(response.headers.get('location')).toBe(`/orders/${response.body.orderId}`);
    expect(response.headers.get('idempotent-replayed')).toBeNull();
  });

  it('replays the same 201 with Idempotent-Replayed: true for the same key and body', async () => {
    // Arrange
    const key = newKey();
    const first = await postOrder(key);
    // Act
    const second = await postOrder(key);
    // Assert
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    expect(second.headers.get('idempotent-replayed')).toBe('true');
  });

  it('gives a replay, a 422 and a 400 the CORS and security headers of a fresh answer', async () => {
    // Arrange
    const key = newKey();
    const fresh = await postOrder(key, undefined, { Origin: 'https://shop.example' });
    // Act
    const answers = [await postOrder(key), await postOrder(key, JSON.stringify({ ...order, quantity: 3 })), await postOrder(undefined)];
    // Assert
    expect(answers.map((answer) => answer.status)).toEqual([201, 422, 400]);
    for (const answer of [fresh, ...answers]) {
      expect([answer.headers.get('access-control-allow-origin'), answer.headers.get('x-content-type-options')]).toEqual(['*', 'nosniff']);
    }
  });

  it('treats reordered JSON with other whitespace as the same payload', async () => {
    const key = newKey();
    const first = await postOrder(key, '{"productId":"p-1","quantity":2}');
    const second = await postOrder(key, '{ "quantity": 2,\n  "productId": "p-1" }');
    expect(second.status).toBe(201);
    expect(second.body.orderId).toBe(first.body.orderId);
  });

  it('reads the RFC 8941 quoted key form as the same key as the bare token', async () => {
    const key = newKey();
    const bare = await postOrder(key);
    const quoted = await postOrder(`"${key}"`);
    expect(quoted.headers.get('idempotent-replayed')).toBe('true');
    expect(quoted.body.orderId).toBe(bare.body.orderId);
  });

  it('answers 422 problem+json when the key is reused with another body', async () => {
    const key = newKey();
    await postOrder(key);
    const response = await postOrder(key, JSON.stringify({ ...order, quantity: 3 }));
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body).toMatchObject({ type: 'urn:lambda-idempotency:payload-mismatch', status: 422 });
  });

  it.each([
    ['missing', undefined, 'urn:lambda-idempotency:key-missing'],
    ['empty', '', 'urn:lambda-idempotency:key-invalid'],
    ['over 255 characters', 'k'.repeat(256), 'urn:lambda-idempotency:key-invalid'],
    ['a malformed quoted string', '"unterminated', 'urn:lambda-idempotency:key-invalid'],
  ])('answers 400 problem+json when the key is %s', async (_name, key, type) => {
    const response = await postOrder(key);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body).toEqual({ type, title: expect.any(String), status: 400, detail: expect.any(String) });
  });

  it.each([
    ['productId', { quantity: 1 }],
    ['productId', { productId: 'x'.repeat(65), quantity: 1 }],
    ['quantity', { productId: 'p', quantity: 0 }],
    ['quantity', { productId: 'p', quantity: 1.5 }],
    ['quantity', { productId: 'p', quantity: 1001 }],
    ['customerId', { productId: 'p', quantity: 1, customerId: 7 }],
  ])('answers 400 problem+json naming %s for an invalid body', async (field, body) => {
    const response = await postOrder(newKey(), JSON.stringify(body));
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ type: 'urn:orders-api:invalid-order', status: 400, detail: expect.stringContaining(`\`${field}\``) });
  });

  it('lets the client fix an invalid body and retry with the same key', async () => {
    const key = newKey();
    expect((await postOrder(key, 'not json')).status).toBe(400);
    expect((await postOrder(key)).status).toBe(201);
  });

  it('places exactly one order for 20 concurrent identical POSTs, each answered with that 201 or a 409', async () => {
    // Arrange
    const key = newKey();
    const before = (await api.scanOrders()).length;
    // Act
    const responses = await Promise.all(Array.from({ length: 20 }, () => postOrder(key, JSON.stringify({ ...order, customerId: key }))));
    // Assert
    const placed = (await api.scanOrders()).filter((item) => item.customerId === key);
    expect(placed).toHaveLength(1);
    expect((await api.scanOrders()).length).toBe(before + 1);
    for (const response of responses) {
      if (response.status === 201) expect(response.body.orderId).toBe(placed[0].orderId);
      else {
        expect(response.status).toBe(409);
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(response.body).toMatchObject({ type: 'urn:lambda-idempotency:in-progress', status: 409 });
      }
    }
    expect(responses.some((response) => response.status === 201)).toBe(true);
  });

  it('gives two callers with the same key two different orders', async () => {
    const key = newKey();
    const alice = await postOrder(key, undefined, { 'x-api-key': 'alice' });
    const bob = await postOrder(key, undefined, { 'x-api-key': 'bob' });
    expect([alice.status, bob.status]).toEqual([201, 201]);
    expect(bob.headers.get('idempotent-replayed')).toBeNull();
    expect(bob.body.orderId).not.toBe(alice.body.orderId);
  });
});

describe('local server log', () => {
  it('logs one line per request with method, path, status, replayed and milliseconds', async () => {
    const key = newKey();
    const before = api.logLines.length;
    await postOrder(key);
    await postOrder(key);
    expect(api.logLines.slice(before)).toEqual([expect.stringMatching(/^POST \/orders 201 \d+ ms$/), expect.stringMatching(/^POST \/orders 201 replayed \d+ ms$/)]);
  });
});
