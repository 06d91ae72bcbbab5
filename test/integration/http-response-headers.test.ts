import { describe, expect, it } from '@jest/globals';
import middy from '@middy/core';
import httpCors from '@middy/http-cors';
import httpErrorHandler from '@middy/http-error-handler';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import httpSecurityHeaders from '@middy/http-security-headers';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { createDynamoDBStore, httpIdempotency, type IdempotencyStore } from '../../lib/idempotency/index.js';
import { restEvent } from '../support/api-gateway-events.js';
import { createTestClient } from '../support/dynamodb.js';
import { injectFaults, stepCommands } from '../support/fault-injector.js';
import { createGates } from '../support/lease-takeover.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { useStoreFixture } from '../support/store-fixture.js';
import { waitFor } from '../support/wait-for.js';

const fixture = useStoreFixture();
const origin = 'https://shop.example';

// The chain README.md shows, in its order: CORS and security headers before httpIdempotency.
function readmeChain(store: IdempotencyStore, handler: () => Promise<APIGatewayProxyResult>) {
  const chain = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(httpHeaderNormalizer())
    .use(httpCors({ origins: [origin, 'https://admin.example'], credentials: true, exposeHeaders: 'Idempotent-Replayed, Retry-After' }))
    .use(httpSecurityHeaders())
    .use(httpErrorHandler({ logger: false }))
    .use(httpIdempotency<APIGatewayProxyEvent, APIGatewayProxyResult>({ store }))
    .use(httpJsonBodyParser({ disableContentTypeError: true }))
    .handler(handler);
  return (event: APIGatewayProxyEvent) => chain(event, createLambdaContext());
}

const post = (key: string | undefined, body = '{"amount":1}') =>
  restEvent({ headers: { Origin: origin, 'Content-Type': 'application/json', ...(key === undefined ? {} : { 'Idempotency-Key': key }) }, body });

/** The headers the middlewares added to a fresh response: everything but what the handler set. */
function decorationsOf(fresh: APIGatewayProxyResult, handlerHeaders: Record<string, string>): Record<string, unknown> {
  const added = Object.fromEntries(Object.entries(fresh.headers ?? {}).filter(([name, value]) => value !== undefined && !(name in handlerHeaders)));
  expect(added).toMatchObject({
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Credentials': 'true',
    'Strict-Transport-Security': expect.any(String),
  });
  return added;
}

describe('headers of replays and refusals with @middy/http-cors and @middy/http-security-headers (real store)', () => {
  it('gives a replay, a 400, a 409, a 422 and a 503 the CORS and security headers a fresh response gets', async () => {
    // Arrange
    const handlerHeaders = { 'Content-Type': 'application/json' };
    const gates = createGates();
    const api = readmeChain(fixture.store, async () => ({ statusCode: 201, headers: { ...handlerHeaders }, body: '{"ok":true}' }));
    const slowApi = readmeChain(fixture.store, async () => {
      await gates.wait();
      return { statusCode: 201, headers: { ...handlerHeaders }, body: '{"ok":true}' };
    });
    const failingClient = createTestClient();
    const failing = createDynamoDBStore({ tableName: fixture.tableName, client: failingClient });
    injectFaults(failingClient, { commands: [stepCommands.claim] });
    const downApi = readmeChain(failing, async () => ({ statusCode: 201, headers: { ...handlerHeaders }, body: '{}' }));
    const key = `cors-${randomUUID()}`;
    const busyKey = `cors-busy-${randomUUID()}`;
    const fresh = await api(post(key));
    const running = slowApi(post(busyKey));
    await waitFor(() => gates.arrived() === 1);

    // Act
    const answers = {
      replay: await api(post(key)),
      missingKey: await api(post(undefined)),
      invalidKey: await api(post('a,b')),
      inProgress: await api(post(busyKey)),
      otherPayload: await api(post(key, '{"amount":2}')),
      storeDown: await downApi(post(`cors-down-${randomUUID()}`)),
    };
    failingClient.destroy();
    gates.open(0);
    await running;

    // Assert
    const decorations = decorationsOf(fresh, handlerHeaders);
    expect(Object.fromEntries(Object.entries(answers).map(([name, answer]) => [name, answer.statusCode]))).toEqual({
      replay: 201,
      missingKey: 400,
      invalidKey: 400,
      inProgress: 409,
      otherPayload: 422,
      storeDown: 503,
    });
    for (const answer of Object.values(answers)) expect(answer.headers).toMatchObject(decorations);
    expect(answers.replay.headers?.['Idempotent-Replayed']).toBe('true');
    expect(answers.inProgress.headers?.['Retry-After']).toEqual(expect.any(String));
  });

  it('never stores the CORS headers of the first origin: a replay to another allowed origin names that origin', async () => {
    // Arrange
    const api = readmeChain(fixture.store, async () => ({ statusCode: 201, body: '{}' }));
    const key = `cors-origin-${randomUUID()}`;
    await api(post(key));
    const fromAdmin = post(key);
    fromAdmin.headers = { ...fromAdmin.headers, Origin: 'https://admin.example' };

    // Act
    const replay = await api(fromAdmin);

    // Assert
    expect(replay.headers?.['Idempotent-Replayed']).toBe('true');
    expect(replay.headers?.['Access-Control-Allow-Origin']).toBe('https://admin.example');
  });
});
