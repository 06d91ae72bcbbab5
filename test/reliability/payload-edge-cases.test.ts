import { describe, expect, it } from '@jest/globals';
import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { httpIdempotency, isIdempotencyPayloadMismatchError, makeIdempotent } from '../../lib/idempotency/index.js';
import { httpApiEvent, restEvent } from '../support/api-gateway-events.js';
import { isTypedRefusal } from '../support/http-outcome.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { useStoreFixture } from '../support/store-fixture.js';

const fixture = useStoreFixture();

/** httpIdempotency over the real store, with a body parser placed before it (`parsedFirst`) or after it, as README advises. */
function api(parsedFirst: boolean, reviver?: (key: string, value: unknown) => unknown) {
  let runs = 0;
  const parser = httpJsonBodyParser({ disableContentTypeError: true, reviver });
  const chain = middy<APIGatewayProxyEvent, APIGatewayProxyResult>().use(httpErrorHandler({ logger: false }));
  if (parsedFirst) chain.use(parser);
  chain.use(httpIdempotency<APIGatewayProxyEvent, APIGatewayProxyResult>({ store: fixture.store }));
  if (!parsedFirst) chain.use(parser);
  const handler = chain.handler(async () => ({ statusCode: 201, body: String(++runs) }));
  return { invoke: (event: unknown) => handler(event as APIGatewayProxyEvent, createLambdaContext()), runs: () => runs };
}

const post = (key: string, body: string) => restEvent({ headers: { 'Idempotency-Key': key, 'Content-Type': 'application/json' }, body });
const bigIntReviver = (_key: string, value: unknown) => (typeof value === 'string' && /^-?\d+n$/.test(value) ? BigInt(value.slice(0, -1)) : value);

describe('request bodies that JSON.parse merges, through httpIdempotency (real store)', () => {
  it.each([
    ['integers above 2^53', '{"amount":12345678901234567891}', '{"amount":12345678901234567890}'],
    ['-0 and 0', '{"amount":-0}', '{"amount":0}'],
    ['decimals beyond a double', '{"rate":0.1000000000000000055511151231257827}', '{"rate":0.1}'],
    ['numbers beyond the range of a double', '{"amount":1e400}', '{"amount":1e401}'],
  ])('answers 422 to %s sent with one key', async (_name, first, second) => {
    // Arrange
    const chain = api(false);
    const key = `numbers-${randomUUID()}`;

    // Act
    const answers = [await chain.invoke(post(key, first)), await chain.invoke(post(key, second)), await chain.invoke(post(key, first))];

    // Assert
    expect(answers.map((answer) => answer.statusCode)).toEqual([201, 422, 201]);
    expect(chain.runs()).toBe(1);
  });

  it('answers a body the parser already made 20,000 levels deep with a typed answer, and replays it', async () => {
    // Arrange
    const chain = api(true);
    const key = `deep-${randomUUID()}`;
    const deep = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`;

    // Act
    const first = await chain.invoke(post(key, deep));
    const again = await chain.invoke(post(key, deep));
    const other = await chain.invoke(post(key, deep.replace('1', '2')));

    // Assert
    expect([first.statusCode, again.statusCode, other.statusCode]).toEqual([201, 201, 422]);
    expect(again.headers?.['Idempotent-Replayed']).toBe('true');
    expect(isTypedRefusal(other)).toBe(true);
  });

  it('fingerprints BigInts a parser reviver made, instead of failing with a 500', async () => {
    // Arrange
    const chain = api(true, bigIntReviver);
    const key = `bigint-${randomUUID()}`;

    // Act
    const answers = [await chain.invoke(post(key, '{"amount":"5n"}')), await chain.invoke(post(key, '{"amount":"6n"}'))];

    // Assert
    expect(answers.map((answer) => answer.statusCode)).toEqual([201, 422]);
  });
});

describe('a key header sent twice, on every event shape', () => {
  const v2 = (key: string) => httpApiEvent({ headers: { 'idempotency-key': key }, body: '{}' });
  it.each<[string, (key: string) => unknown]>([
    ['REST multi-value headers', (key) => ({ ...post(key, '{}'), multiValueHeaders: { 'Idempotency-Key': [key, `${key}-2`] } })],
    ['REST multi-value headers joined by a proxy', (key) => ({ ...post(key, '{}'), multiValueHeaders: { 'Idempotency-Key': [`${key}, ${key}-2`] } })],
    ['HTTP API headers, joined with a comma', (key) => v2(`${key},${key}-2`)],
    ['Function URL headers, joined with a comma', (key) => ({ ...v2(`${key},${key}`), routeKey: '$default' })],
    [
      'ALB multi-value headers',
      (key) => ({ httpMethod: 'POST', path: '/x', body: '{}', multiValueHeaders: { 'idempotency-key': [key, key] }, requestContext: { elb: {} } }),
    ],
  ])('is a 400 problem on %s, and the handler does not run', async (_name, event) => {
    // Arrange
    const chain = api(false);

    // Act
    const answer = await chain.invoke(event(`twice-${randomUUID()}`));

    // Assert
    expect(answer.statusCode).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ type: 'urn:lambda-idempotency:key-invalid' });
    expect(chain.runs()).toBe(0);
  });
});

class Amount {
  constructor(readonly cents: number) {}
}

describe('payloads that JSON.stringify merges, through makeIdempotent (real store)', () => {
  it.each<[string, unknown, unknown]>([
    ['two Maps', new Map([['cents', 1]]), new Map([['cents', 2]])],
    ['two Sets', new Set(['a']), new Set(['b'])],
    ['a Date and its ISO string', new Date(0), '1970-01-01T00:00:00.000Z'],
    ['-0 and 0', { cents: -0 }, { cents: 0 }],
    ['NaN and null', { cents: NaN }, { cents: null }],
    ['an undefined member and a missing one', { cents: 1, note: undefined }, { cents: 1 }],
    ['bytes and the object of their indices', { raw: new Uint8Array([1]) }, { raw: { 0: 1 } }],
    ['a class instance and a plain object', new Amount(1), { cents: 1 }],
    ['two BigInts', 12345678901234567891n, 12345678901234567890n],
    ['two symbol-keyed members', { [Symbol.for('cents')]: 1 }, { [Symbol.for('cents')]: 2 }],
  ])('refuses %s under one key as another payload', async (_name, first, second) => {
    // Arrange
    let runs = 0;
    const charge = makeIdempotent(async (_input: { key: string; payload: unknown }) => ++runs, {
      store: fixture.store,
      namespace: 'charge',
      key: (input) => input.key,
      fingerprint: (input) => input.payload,
    });
    const key = `payload-${randomUUID()}`;

    // Act
    const firstRun = await charge({ key, payload: first });
    const outcome = await charge({ key, payload: second }).catch((error: unknown) => error);

    // Assert
    expect(firstRun).toBe(1);
    expect(isIdempotencyPayloadMismatchError(outcome)).toBe(true);
  });

  it('fingerprints a cyclic payload and replays it', async () => {
    // Arrange
    const cyclic = () => {
      const node: Record<string, unknown> = { cents: 1 };
      node.self = node;
      return node;
    };
    let runs = 0;
    const charge = makeIdempotent(async (_input: { key: string; payload: unknown }) => ++runs, {
      store: fixture.store,
      namespace: 'cyclic',
      key: (input) => input.key,
      fingerprint: (input) => input.payload,
    });
    const key = `cyclic-${randomUUID()}`;

    // Act
    const results = [await charge({ key, payload: cyclic() }), await charge({ key, payload: cyclic() })];

    // Assert
    expect(results).toEqual([1, 1]);
  });
});
