import { describe, expect, it } from '@jest/globals';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { httpIdempotency, IdempotencyResultNotStoredError, type IdempotencyOptions } from '../../lib/idempotency/index.js';
import { adapters } from '../support/adapters.js';
import { restEvent } from '../support/api-gateway-events.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { useStoreFixture } from '../support/store-fixture.js';

// A user callback (onOutcome, logger, shouldStore) or the adapter's stored-form hook that throws once the key is
// claimed must never block the key, nor replace the handler's result or error with its own.
const fixture = useStoreFixture();
const thrower = (what: string) => () => {
  throw new Error(`${what} failed`);
};

describe.each(adapters)('throwing callbacks through the %s', (_name, wrap) => {
  const wrapCounting = (options: Omit<IdempotencyOptions<{ id: string }, string>, 'store' | 'key'>, fail = false) => {
    const runs = { count: 0 };
    const handler = wrap(
      async (_event: { id: string }) => {
        runs.count += 1;
        if (fail && runs.count === 1) throw new Error('handler failed');
        return `result ${runs.count}`;
      },
      { store: fixture.store, key: (event) => event.id, ...options },
    );
    return { runs, handler };
  };

  it('runs the handler once and replays when onOutcome and logger throw on every call', async () => {
    // Arrange
    const { runs, handler } = wrapCounting({ onOutcome: thrower('onOutcome'), logger: thrower('logger') });
    const event = { id: randomUUID() };

    // Act
    const first = await handler(event, createLambdaContext());
    const duplicate = await handler(event, createLambdaContext());

    // Assert
    expect(first).toBe('result 1');
    expect(duplicate).toBe('result 1');
    expect(runs.count).toBe(1);
  });

  it("hands the handler's own error to the caller and frees the key when onOutcome and logger throw", async () => {
    // Arrange
    const { runs, handler } = wrapCounting({ onOutcome: thrower('onOutcome'), logger: thrower('logger') }, true);
    const event = { id: randomUUID() };

    // Act
    const failure = await handler(event, createLambdaContext()).catch((error: unknown) => error);
    const retry = await handler(event, createLambdaContext());

    // Assert
    expect((failure as Error).message).toBe('handler failed');
    expect(retry).toBe('result 2');
    expect(runs.count).toBe(2);
  });

  it('returns the result and records it as not stored when shouldStore throws, so the handler never runs twice', async () => {
    // Arrange
    const logged: string[] = [];
    const { runs, handler } = wrapCounting({ shouldStore: thrower('shouldStore'), logger: (message) => logged.push(message) });
    const event = { id: randomUUID() };

    // Act
    const first = await handler(event, createLambdaContext());
    const duplicate = await handler(event, createLambdaContext()).catch((error: unknown) => error);

    // Assert
    expect(first).toBe('result 1');
    expect(duplicate).toBeInstanceOf(IdempotencyResultNotStoredError);
    expect(runs.count).toBe(1);
    expect(logged.some((message) => message.includes('shouldStore'))).toBe(true);
  });
});

describe('a response the HTTP layer cannot shape for storage', () => {
  it.each([
    ['headers that are null', { statusCode: 201, headers: null, body: '{}' }],
    ['a bare HTTP API result holding a BigInt', { amount: 10n }],
  ])('reaches its caller, and duplicates get 409 "Response not stored" instead of a second run: %s', async (_kind, response) => {
    // Arrange
    let runs = 0;
    const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
      .use(httpIdempotency<APIGatewayProxyEvent, APIGatewayProxyResult>({ store: fixture.store }))
      .handler(async () => {
        runs += 1;
        return response as unknown as APIGatewayProxyResult;
      });
    const event = restEvent({ headers: { 'Idempotency-Key': randomUUID() }, body: '{"amount":1}' });

    // Act
    const first = await handler(event, createLambdaContext());
    const duplicate = await handler(event, createLambdaContext());

    // Assert
    expect(first).toBe(response);
    expect(duplicate.statusCode).toBe(409);
    expect(JSON.parse(duplicate.body).title).toBe('Response not stored');
    expect(runs).toBe(1);
  });
});
