import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import fc from 'fast-check';
import { baseMiddlewares } from '../../functions/shared/http-middlewares.js';
import { answerOrderErrors, json } from '../../functions/shared/http-response.js';
import { parseOrderBody } from '../../functions/orders/order.js';
import { createDynamoDBStore, httpIdempotency, isIdempotencyKeyError, makeIdempotent, type DynamoDBStore } from '../../lib/idempotency/index.js';
import { httpApiEvent, restEvent } from '../support/api-gateway-events.js';
import { createIdempotencyTable, createTestClient } from '../support/dynamodb.js';
import { createExecutionLedger, type ExecutionLedger } from '../support/execution-ledger.js';
import { anyCaseKeyHeader, hostileBody, hostileKey } from '../support/hostile-input.js';
import { isTypedRefusal, type HttpAnswer } from '../support/http-outcome.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { startTestApi, type TestApi } from '../support/local-server.js';
import { sendRawRequest } from '../support/raw-http.js';

let client: DynamoDBClient;
let store: DynamoDBStore;
let ledger: ExecutionLedger;
let api: TestApi;
let handler: middy.MiddyfiedHandler<APIGatewayProxyEvent, APIGatewayProxyResult>;

beforeAll(async () => {
  client = createTestClient();
  const tableName = await createIdempotencyTable(client);
  store = createDynamoDBStore({ tableName, client });
  ledger = createExecutionLedger(client, tableName);
  api = await startTestApi();
  // The orders API's chain and order validation, with the ledger checking the claim inside the handler.
  handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(baseMiddlewares())
    .use(httpIdempotency<APIGatewayProxyEvent, APIGatewayProxyResult>({ store }))
    .handler(
      answerOrderErrors(async (event, context) => ledger.run('http', context, async () => json(201, parseOrderBody(event.body, event.isBase64Encoded)))),
    );
}, 60_000);
afterAll(async () => {
  await api.stop();
  client.destroy();
});

const optionalFields = [
  'headers',
  'multiValueHeaders',
  'body',
  'isBase64Encoded',
  'requestContext',
  'pathParameters',
  'httpMethod',
  'resource',
  'path',
] as const;

/** A 2xx, or a 4xx/503 problem+json (Retry-After where due): what every hostile request must get. */
const isAcceptable = (answer: HttpAnswer) => (answer.statusCode >= 200 && answer.statusCode < 300) || isTypedRefusal(answer);

describe('hostile input through httpIdempotency in the orders API chain (Middy, real store)', () => {
  it('answers every key, body, header case and missing field with a 2xx or a problem+json 4xx, never running without a claim', async () => {
    await fc.assert(
      fc.asyncProperty(
        hostileKey,
        anyCaseKeyHeader,
        hostileBody,
        fc.subarray([...optionalFields]),
        fc.boolean(),
        async (key, headerName, body, missing, twice) => {
          // Arrange
          const event = restEvent({
            headers: { [headerName]: key, 'Content-Type': 'application/json' },
            body: body.body ?? null,
            isBase64Encoded: body.isBase64Encoded,
          }) as unknown as Record<string, unknown>;
          if (body.body === undefined) delete event.body;
          if (twice) event.multiValueHeaders = { [headerName]: [key, `${key}-again`] };
          for (const field of missing) delete event[field];

          // Act
          const answer = await handler(event as unknown as APIGatewayProxyEvent, createLambdaContext());

          // Assert
          expect({ statusCode: answer.statusCode, acceptable: isAcceptable(answer) }).toEqual({ statusCode: answer.statusCode, acceptable: true });
          expect(ledger.violations).toEqual([]);
        },
      ),
      { numRuns: 60 },
    );
  }, 120_000);
});

/** An event of each shape httpIdempotency reads, carrying `key` (sent twice when `twice`: as two values, or joined). */
function eventOfShape(shape: 'rest' | 'http-api' | 'function-url' | 'alb', key: string, twice: boolean): Record<string, unknown> {
  const joined = twice ? `${key},${key}` : key;
  if (shape === 'rest') return { ...restEvent({ headers: { 'Idempotency-Key': key } }), multiValueHeaders: { 'Idempotency-Key': twice ? [key, key] : [key] } };
  if (shape === 'alb')
    return {
      httpMethod: 'POST',
      path: '/x',
      headers: { 'idempotency-key': key },
      ...(twice ? { multiValueHeaders: { 'idempotency-key': [key, key] } } : {}),
      requestContext: { elb: {} },
    };
  const event = httpApiEvent({ headers: { 'idempotency-key': joined } }) as unknown as Record<string, unknown>;
  return shape === 'http-api' ? event : { ...event, routeKey: '$default' };
}

const anyValue = fc.anything({
  maxDepth: 3,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withSparseArray: true,
  withTypedArray: true,
});

describe('hostile events of every shape through httpIdempotency, a body parser before it (real store)', () => {
  it('answers any key, parsed body, query and path with a 2xx or a problem+json 4xx, never a 500', async () => {
    const chain = middy<Record<string, unknown>, APIGatewayProxyResult>()
      .use(httpErrorHandler({ logger: false }))
      .use(httpIdempotency<Record<string, unknown>, APIGatewayProxyResult>({ store, namespace: 'hostile-shapes' }))
      .handler(async () => ({ statusCode: 201, body: 'ok' }));
    const shape = fc.constantFrom('rest' as const, 'http-api' as const, 'function-url' as const, 'alb' as const);
    await fc.assert(
      fc.asyncProperty(shape, hostileKey, fc.boolean(), anyValue, anyValue, anyValue, async (kind, key, twice, body, query, path) => {
        // Arrange
        const event = { ...eventOfShape(kind, key, twice), body, queryStringParameters: query, multiValueQueryStringParameters: query, path };

        // Act
        const answer = await chain(event, createLambdaContext());

        // Assert
        expect({ statusCode: answer.statusCode, acceptable: isAcceptable(answer) }).toEqual({ statusCode: answer.statusCode, acceptable: true });
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});

describe('a __proto__ key in a JSON body', () => {
  it('is another payload, answered 422, never the replay of a body without it', async () => {
    // Arrange
    const key = `proto-${Math.random().toString(36).slice(2)}`;
    const post = (body: string) => handler(restEvent({ headers: { 'Idempotency-Key': key }, body }), createLambdaContext());
    const first = await post('{"productId":"p-1","quantity":1}');

    // Act
    const polluted = await post('{"productId":"p-1","quantity":1,"__proto__":{"quantity":1000}}');

    // Assert
    expect(first.statusCode).toBe(201);
    expect(polluted.statusCode).toBe(422);
    expect(isTypedRefusal(polluted)).toBe(true);
  });
});

describe('hostile input through the local orders API (real HTTP, raw bytes)', () => {
  it('answers a few hostile requests with a 2xx, a problem+json 4xx or the HTTP parser 400, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(hostileKey, anyCaseKeyHeader, hostileBody, async (key, headerName, body) => {
        // Act
        const answer = await sendRawRequest(api.server.url, {
          method: 'POST',
          path: '/orders',
          headers: [
            [headerName, key],
            ['Content-Type', 'application/json'],
          ],
          body: Buffer.from(body.body ?? '', 'utf8'),
        });

        // Assert: Node's HTTP parser refuses malformed requests (a CR LF or NUL in a header); the server answers API Gateway's 400.
        const parserRefusal = answer.statusCode === 400 && answer.body.includes('"type":"urn:orders-api:gateway:DEFAULT_4XX","title":"Bad Request"');
        expect({ statusCode: answer.statusCode, acceptable: isAcceptable(answer) || parserRefusal }).toEqual({
          statusCode: answer.statusCode,
          acceptable: true,
        });
      }),
      { numRuns: 8 },
    );
  }, 120_000);
});

describe('hostile keys through makeIdempotent (core)', () => {
  it('runs under a claim or refuses with IdempotencyKeyError, for any key value', async () => {
    // A table of its own: a key the HTTP properties above also drew (every property of a file runs from its seed)
    // must not meet their records.
    const coreTable = await createIdempotencyTable(client);
    const coreLedger = createExecutionLedger(client, coreTable);
    const coreStore = createDynamoDBStore({ tableName: coreTable, client });
    const charge = makeIdempotent(async (_input: { key: unknown }, context: Context) => coreLedger.run('core', context, async () => 'charged'), {
      store: coreStore,
      key: (input) => input.key,
      namespace: 'charge',
    });
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostileKey, fc.anything()), async (key) => {
        // Act
        const outcome = await charge({ key }, createLambdaContext()).catch((error: unknown) => error);

        // Assert
        expect(outcome === 'charged' || isIdempotencyKeyError(outcome)).toBe(true);
        expect(coreLedger.violations).toEqual([]);
      }),
      { numRuns: 100 },
    );
  }, 120_000);
});
