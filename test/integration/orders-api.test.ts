import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { invalidOrderProblem } from '../../functions/shared/gateway-problems.js';
import { stdoutEmfLines } from '../support/emf-capture.js';
import { parseEmfLine } from '../support/emf-specification.js';
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
    expect(response.body).toEqual({
      orderId: expect.any(String),
      productId: 'p-1',
      quantity: 2,
      customerId: 'c-1',
      status: 'PLACED',
      createdAt: expect.any(String),
    });
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
  ])('answers 400 invalid-order for a body whose %s breaks the contract: the model refuses JSON, the function any other type', async (field, body) => {
    const refusedByModel = await postOrder(newKey(), JSON.stringify(body));
    const refusedByFunction = await postOrder(newKey(), JSON.stringify(body), { 'Content-Type': 'text/plain' });
    expect(refusedByModel.status).toBe(400);
    expect(refusedByModel.body).toEqual(invalidOrderProblem);
    expect(refusedByModel.body.detail).toContain(field);
    expect(refusedByFunction.status).toBe(400);
    expect(refusedByFunction.body).toMatchObject({ type: 'urn:orders-api:invalid-order', status: 400, detail: expect.stringContaining(`\`${field}\``) });
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

  it('scopes records by key alone, as on AWS where the stack has no authorizer: an x-api-key header tells no caller apart', async () => {
    const key = newKey();
    const alice = await postOrder(key, undefined, { 'x-api-key': 'alice' });
    const bob = await postOrder(key, undefined, { 'x-api-key': 'bob' });
    expect([alice.status, bob.status]).toEqual([201, 201]);
    expect(bob.headers.get('idempotent-replayed')).toBe('true');
    expect(bob.body.orderId).toBe(alice.body.orderId);
  });
});

describe('POST /orders metrics', () => {
  it('writes one valid EMF line per invocation, to stdout as on Lambda: Claimed for a new key, Replayed for its duplicate', async () => {
    // Arrange
    const key = newKey();

    // Act
    await postOrder(key);
    await postOrder(key);

    // Assert
    // The stream consumer's lines (fulfil-order) come when it reads the orders, whenever that is: left out.
    const documents = stdoutEmfLines()
      .take()
      .map(parseEmfLine)
      .filter((document) => document.FunctionName === 'CreateOrder');
    const dimensions = { FunctionName: 'CreateOrder', Namespace: 'create-order' };
    expect(documents).toEqual([expect.objectContaining({ ...dimensions, Claimed: 1, Completed: 1 }), expect.objectContaining({ ...dimensions, Replayed: 1 })]);
  });
});

describe('local server log', () => {
  it('logs one line per request with method, path, status, replayed and milliseconds', async () => {
    const key = newKey();
    const before = api.logLines.length;
    await postOrder(key);
    await postOrder(key);
    expect(api.logLines.slice(before)).toEqual([
      expect.stringMatching(/^POST \/orders 201 \d+ ms$/),
      expect.stringMatching(/^POST \/orders 201 replayed \d+ ms$/),
    ]);
  });
});

describe('what a browser gets from the local API, as from the deployed one', () => {
  const corsOf = (response: { headers: Headers }) => [
    response.headers.get('access-control-allow-origin'),
    response.headers.get('access-control-expose-headers'),
  ];
  const cors = ['*', 'Location,Retry-After,Idempotent-Replayed'];

  it('sends the CORS headers with every answer: fresh, replayed, refused by the library, the function or the gateway', async () => {
    // Arrange
    const key = newKey();

    // Act
    const answers = {
      created: await postOrder(key),
      replayed: await postOrder(key),
      otherPayload: await postOrder(key, JSON.stringify({ ...order, quantity: 3 })),
      missingKey: await postOrder(undefined),
      invalidOrder: await postOrder(newKey(), '{"productId":"p-1","quantity":0}'),
      notFound: await api.send('GET', '/orders/no-such-order'),
      unknownRoute: await api.send('GET', '/refunds'),
    };

    // Assert
    expect(Object.fromEntries(Object.entries(answers).map(([name, response]) => [name, response.status]))).toEqual({
      created: 201,
      replayed: 201,
      otherPayload: 422,
      missingKey: 400,
      invalidOrder: 400,
      notFound: 404,
      unknownRoute: 403,
    });
    for (const response of Object.values(answers)) expect(corsOf(response)).toEqual(cors);
  });

  it('answers a preflight on any resource, root included, with the preflight headers of the stack', async () => {
    for (const path of ['/', '/orders', '/orders/o-1', '/order-intents']) {
      const response = await api.send('OPTIONS', path, { headers: { Origin: 'https://shop.example', 'Access-Control-Request-Method': 'POST' } });
      expect([path, response.status]).toEqual([path, 204]);
      expect(response.headers.get('access-control-allow-headers')).toBe(
        'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,X-Amz-User-Agent,Idempotency-Key',
      );
      expect(response.headers.get('access-control-allow-methods')).toBe('GET,POST,PUT,DELETE');
    }
    expect((await api.send('OPTIONS', '/refunds')).status).toBe(403);
  });

  it("refuses an order body the model rejects before any function runs, with the stack's problem", async () => {
    // Arrange
    const ordersBefore = (await api.scanOrders()).length;

    // Act
    const refused = await postOrder(newKey(), '{"productId":"","quantity":1}');
    const notJson = await postOrder(newKey(), 'quantity=1');

    // Assert
    for (const response of [refused, notJson]) {
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(response.body).toEqual(invalidOrderProblem);
    }
    expect((await api.scanOrders()).length).toBe(ordersBefore);
    expect(api.logLines.at(-1)).toMatch(/does not match the order model/);
  });

  it("answers an unknown route with the stack's gateway problem", async () => {
    const response = await api.send('DELETE', '/order-intents');
    expect(response.status).toBe(403);
    expect(response.body).toEqual({
      type: 'urn:orders-api:gateway:MISSING_AUTHENTICATION_TOKEN',
      title: 'Missing Authentication Token',
      requestId: expect.any(String),
    });
  });
});
