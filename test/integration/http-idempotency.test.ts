import { beforeAll, describe, expect, it } from '@jest/globals';
import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, APIGatewayProxyResult } from 'aws-lambda';
import { randomBytes } from 'node:crypto';
import { createDynamoDBStore, httpIdempotency, type HttpIdempotencyOptions, type IdempotencyStore } from '../../lib/idempotency/index.js';
import { findFreePort } from '../../lib/local/dynamodb-local.js';
import { httpApiEvent, restEvent } from '../support/api-gateway-events.js';
import { createIdempotencyTable, createTestClient } from '../support/dynamodb.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { waitFor } from '../support/wait-for.js';

type Answer = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
let store: IdempotencyStore;
let keyCounter = 0;
const newKey = () => `http-${Date.now()}-${++keyCounter}`;
const post = (key: string, body = '{"a":1,"b":2}', extra: Parameters<typeof restEvent>[0] = {}) =>
  restEvent({ headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key }, body, ...extra });

// The recommended order: header normaliser, error handler, httpIdempotency, then the body parser.
function recommendedChain(answer: Answer, options: Partial<HttpIdempotencyOptions<APIGatewayProxyEvent, APIGatewayProxyResult>> = {}) {
  let runs = 0;
  const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(httpHeaderNormalizer())
    .use(httpErrorHandler({ logger: false }))
    .use(httpIdempotency<APIGatewayProxyEvent, APIGatewayProxyResult>({ store, ...options }))
    .use(httpJsonBodyParser({ disableContentTypeError: true }))
    .handler(async (event) => {
      runs += 1;
      return answer(event);
    });
  return { invoke: (event: APIGatewayProxyEvent) => handler(event, createLambdaContext({ remainingMs: 30_000 })), runs: () => runs };
}

beforeAll(async () => {
  const client = createTestClient();
  store = createDynamoDBStore({ tableName: await createIdempotencyTable(client), client });
});

describe('httpIdempotency in a Middy chain', () => {
  it('runs once and replays the stored response with Idempotent-Replayed: true, the body parsed after it', async () => {
    // Arrange
    const api = recommendedChain(async (event) => ({ statusCode: 201, headers: { Location: '/x' }, body: JSON.stringify({ got: event.body }) }));
    const key = newKey();
    // Act
    const first = await api.invoke(post(key, '{"a":1,"b":2}'));
    const second = await api.invoke(post(key, '{ "b": 2, "a": 1 }'));
    // Assert
    expect(api.runs()).toBe(1);
    expect(first).toEqual({ statusCode: 201, headers: { Location: '/x' }, body: '{"got":{"a":1,"b":2}}' });
    expect(second).toEqual({ ...first, headers: { Location: '/x', 'Idempotent-Replayed': 'true' } });
  });

  it('fingerprints a body that a parser placed before it already parsed', async () => {
    let runs = 0;
    const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
      .use(httpJsonBodyParser())
      .use(httpIdempotency<APIGatewayProxyEvent, APIGatewayProxyResult>({ store }))
      .handler(async () => ({ statusCode: 200, body: String(++runs) }));
    const key = newKey();
    await handler(post(key, '{"a":1,"b":2}'), createLambdaContext());
    const reordered = await handler(post(key, '{"b":2,"a":1}'), createLambdaContext());
    const other = await handler(post(key, '{"b":3,"a":1}'), createLambdaContext());
    expect(reordered.body).toBe('1');
    expect(other.statusCode).toBe(422);
  });

  it('does not replay per-attempt headers such as Date and Set-Cookie', async () => {
    const api = recommendedChain(async () => ({
      statusCode: 200,
      headers: { Date: 'Wed, 25 Nov 2026 10:00:00 GMT', 'Set-Cookie': 'session=1', ETag: '"v1"' },
      multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] },
      body: 'ok',
    }));
    const key = newKey();
    const first = await api.invoke(post(key));
    const replay = await api.invoke(post(key));
    expect(first.headers).toMatchObject({ Date: expect.any(String), 'Set-Cookie': 'session=1' });
    expect(replay.headers).toEqual({ ETag: '"v1"', 'Idempotent-Replayed': 'true' });
    expect(replay.multiValueHeaders).toEqual({ 'Idempotent-Replayed': ['true'] });
  });

  it('answers 409 with Retry-After from the lease while the first request runs, and never runs it twice', async () => {
    // Arrange
    let release: () => void = () => undefined;
    // The clock stands still, so the Retry-After does not depend on how long the machine took between the two calls.
    const clockMs = Date.now();
    const api = recommendedChain(() => new Promise((resolve) => (release = () => resolve({ statusCode: 201, body: 'done' }))), {
      now: () => clockMs,
      // Answered at once (no wait): this test is about the 409 itself.
      waitForInProgressMs: 0,
    });
    const key = newKey();
    const first = api.invoke(post(key));
    await waitFor(() => api.runs() === 1);
    // Act
    const duplicate = await api.invoke(post(key));
    release();
    // Assert
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.headers?.['Content-Type']).toBe('application/problem+json');
    expect(duplicate.headers?.['Retry-After']).toBe('30');
    expect((await first).statusCode).toBe(201);
    expect(api.runs()).toBe(1);
  });
});

describe('what httpIdempotency stores', () => {
  it.each([
    [201, 1],
    [302, 1],
    [404, 1],
    [409, 1],
    [400, 2],
    [401, 2],
    [403, 2],
    [408, 2],
    [422, 2],
    [429, 2],
    [500, 2],
    [503, 2],
  ])('after a %i answer the handler has run %i time(s) for two identical requests', async (statusCode, expectedRuns) => {
    const api = recommendedChain(async () => ({ statusCode, body: 'x' }));
    const key = newKey();
    await api.invoke(post(key));
    const second = await api.invoke(post(key));
    expect(api.runs()).toBe(expectedRuns);
    expect(second.statusCode).toBe(statusCode);
  });

  it('releases the key when the handler throws, so the retry runs', async () => {
    let fail = true;
    const api = recommendedChain(async () => {
      if (fail) throw new Error('boom');
      return { statusCode: 201, body: 'ok' };
    });
    const key = newKey();
    const first = await api.invoke(post(key));
    fail = false;
    const retry = await api.invoke(post(key));
    expect(first.statusCode).toBe(500);
    expect(retry).toEqual({ statusCode: 201, body: 'ok' });
    expect(api.runs()).toBe(2);
  });

  it('follows a user shouldStore over the default rule', async () => {
    const api = recommendedChain(async () => ({ statusCode: 201, body: 'x' }), { shouldStore: () => false });
    const key = newKey();
    await api.invoke(post(key));
    await api.invoke(post(key));
    expect(api.runs()).toBe(2);
  });

  it('answers 409 result-not-stored to a duplicate when the first response was too large to store', async () => {
    const client = createTestClient();
    const tinyStore = createDynamoDBStore({ tableName: await createIdempotencyTable(client), client, compressAboveBytes: 32, maxStoredResultBytes: 64 });
    const api = recommendedChain(async () => ({ statusCode: 201, body: randomBytes(256).toString('base64') }), { store: tinyStore });
    const key = newKey();
    const first = await api.invoke(post(key));
    const duplicate = await api.invoke(post(key));
    expect(first.statusCode).toBe(201);
    expect(duplicate.statusCode).toBe(409);
    expect(JSON.parse(duplicate.body)).toMatchObject({ type: 'urn:lambda-idempotency:result-not-stored' });
    expect(api.runs()).toBe(1);
  });
});

describe('httpIdempotency refusals', () => {
  it('answers 503 with Retry-After and does not run the handler when the store is unreachable', async () => {
    const closedPort = await findFreePort();
    const unreachable = createDynamoDBStore({
      tableName: 'idempotency',
      clientConfig: {
        region: 'us-east-1',
        endpoint: `http://127.0.0.1:${closedPort}`,
        maxAttempts: 1,
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      },
    });
    const api = recommendedChain(async () => ({ statusCode: 201, body: 'x' }), { store: unreachable });
    const response = await api.invoke(post(newKey()));
    expect(response.statusCode).toBe(503);
    expect(response.headers?.['Retry-After']).toBe('1');
    expect(JSON.parse(response.body)).toMatchObject({ type: 'urn:lambda-idempotency:store-unavailable', status: 503 });
    expect(api.runs()).toBe(0);
  });

  it('reads a configured header name', async () => {
    const api = recommendedChain(async () => ({ statusCode: 200, body: 'x' }), { headerName: 'X-Request-Key' });
    const event = restEvent({ headers: { 'x-request-key': newKey() }, body: '{}' });
    await api.invoke(event);
    expect((await api.invoke(event)).headers?.['Idempotent-Replayed']).toBe('true');
    expect((await api.invoke(post(newKey()))).statusCode).toBe(400);
  });

  it('refuses invalid options at construction, naming them', () => {
    expect(() => httpIdempotency({ store, headerName: '' })).toThrow('`headerName`');
    expect(() => httpIdempotency(undefined as unknown as HttpIdempotencyOptions)).toThrow(TypeError);
  });
});

describe('httpIdempotency with HTTP API (v2) events', () => {
  const v2Handler = () => {
    let runs = 0;
    const handler = middy<APIGatewayProxyEventV2, { statusCode: number; body: string }>()
      .use(httpIdempotency<APIGatewayProxyEventV2, { statusCode: number; body: string }>({ store }))
      .handler(async () => ({ statusCode: 201, body: String(++runs) }));
    return (event: APIGatewayProxyEventV2) => handler(event, createLambdaContext());
  };

  it('scopes by the JWT sub: one caller replays, another caller with the same key runs', async () => {
    const invoke = v2Handler();
    const key = newKey();
    const alice = await invoke(httpApiEvent({ headers: { 'idempotency-key': key }, body: '{}', sub: 'alice' }));
    const aliceAgain = await invoke(httpApiEvent({ headers: { 'idempotency-key': key }, body: '{}', sub: 'alice' }));
    const bob = await invoke(httpApiEvent({ headers: { 'idempotency-key': key }, body: '{}', sub: 'bob' }));
    expect(aliceAgain).toEqual({ statusCode: 201, body: alice.body, headers: { 'Idempotent-Replayed': 'true' } });
    expect(bob.body).not.toBe(alice.body);
  });

  it('replays a bare HTTP API result as the 200 JSON response AWS sends for it', async () => {
    const handler = middy<APIGatewayProxyEventV2, unknown>()
      .use(httpIdempotency<APIGatewayProxyEventV2>({ store }))
      .handler(async () => ({ id: 7 }));
    const event = httpApiEvent({ headers: { 'Idempotency-Key': newKey() } });
    await handler(event, createLambdaContext());
    expect(await handler(event, createLambdaContext())).toEqual({
      statusCode: 200,
      headers: { 'Content-Type': 'application/json', 'Idempotent-Replayed': 'true' },
      body: '{"id":7}',
    });
  });
});
