import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { dynamoDBEndpoint } from '../support/dynamodb.js';
import { startHoldInjector, type HoldInjector } from '../support/hold-injector.js';
import { startTestApi, type TestApi } from '../support/local-server.js';
import { waitFor } from '../support/wait-for.js';

// The functions of this file reach DynamoDB through the hold injector: the first request's order transaction waits
// there until the test has seen the second request read the idempotency record, so the second surely arrives while the
// first runs, however slow the machine. Each test holds one transaction, so each starts its own injector and API.
let injector: HoldInjector;
let api: TestApi;

beforeAll(async () => {
  injector = await startHoldInjector(dynamoDBEndpoint(), 'TransactWriteItems');
  // Timeouts far beyond any test: a held first request's lease (tied to the function's remaining time) must not end while
  // a duplicate waits, however slow the machine, or the duplicate would rightly take the key over instead of waiting.
  // No fulfilment: its handler commits each shipment in a TransactWriteItems through the same injector, and the hold
  // would take whichever transaction came first (then the order's went through and its duplicate replayed a 201).
  api = await startTestApi({ dynamoDBEndpoint: injector.endpoint, functionTimeoutMs: 900_000, integrationTimeoutMs: 900_000, fulfilment: false });
});

afterAll(async () => {
  await api.stop();
  await injector.stop();
});

const orderBody = '{"productId":"p-1","quantity":1}';
const count = (operation: string) => injector.seen[operation] ?? 0;

describe('a double click on the example orders API', () => {
  it.each([
    ['POST', async () => ({ path: '/orders', headers: { 'Idempotency-Key': randomUUID() } })],
    ['PUT', async () => ({ path: `/orders/${(await api.send('POST', '/order-intents')).body.orderId as string}`, headers: {} })],
  ])('%s: the second request, sent while the first runs, gets the same 201 and order, replayed; one order exists', async (method, target) => {
    // Arrange
    const { path, headers } = await target();
    const send = () => api.send(method, path, { headers: { 'Content-Type': 'application/json', ...headers }, body: orderBody });
    const ordersBefore = (await api.scanOrders()).length - (method === 'PUT' ? 1 : 0);
    injector.hold();
    const transactionsBefore = count('TransactWriteItems');
    const readsBefore = count('GetItem');

    // Act: the first request's order transaction is held; the second is sent, and the hold ends once it reads the record.
    const first = send();
    await waitFor(() => count('TransactWriteItems') > transactionsBefore);
    const second = send();
    await waitFor(() => count('GetItem') > readsBefore);
    injector.release();
    const [firstAnswer, secondAnswer] = await Promise.all([first, second]);

    // Assert
    expect(firstAnswer.status).toBe(201);
    expect(firstAnswer.headers.get('idempotent-replayed')).toBeNull();
    expect(secondAnswer.status).toBe(201);
    expect(secondAnswer.body).toEqual(firstAnswer.body);
    expect(secondAnswer.headers.get('idempotent-replayed')).toBe('true');
    const orders = await api.scanOrders();
    expect(orders.filter((order) => order.orderId === firstAnswer.body.orderId)).toHaveLength(1);
    expect(orders).toHaveLength(ordersBefore + 1);
  });
});

describe('a duplicate while the first request runs, over real sockets', () => {
  it('another body with the same key gets 422 at once, without reading the record', async () => {
    // Arrange
    const key = randomUUID();
    const send = (body: string) => api.send('POST', '/orders', { headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key }, body });
    injector.hold();
    const transactionsBefore = count('TransactWriteItems');
    const first = send(orderBody);
    await waitFor(() => count('TransactWriteItems') > transactionsBefore);
    const readsBefore = count('GetItem');

    // Act
    const other = await send('{"productId":"p-2","quantity":1}');
    injector.release();

    // Assert
    expect(other.status).toBe(422);
    expect(other.body.type).toBe('urn:lambda-idempotency:payload-mismatch');
    expect(count('GetItem')).toBe(readsBefore);
    expect((await first).status).toBe(201);
  });

  it('the same request gets 409 with Retry-After once the 5 s wait is spent, the first still running', async () => {
    // Arrange: the first request's transaction stays held until the second has its answer, however long that takes.
    const key = randomUUID();
    const send = () => api.send('POST', '/orders', { headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key }, body: orderBody });
    injector.hold();
    const transactionsBefore = count('TransactWriteItems');
    const first = send();
    await waitFor(() => count('TransactWriteItems') > transactionsBefore);
    const readsBefore = count('GetItem');

    // Act
    const second = await send();
    injector.release();

    // Assert: it polled, then refused.
    expect(second.status).toBe(409);
    expect(second.body.type).toBe('urn:lambda-idempotency:in-progress');
    expect(second.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(count('GetItem')).toBeGreaterThan(readsBefore);
    expect((await first).status).toBe(201);
  });
});
