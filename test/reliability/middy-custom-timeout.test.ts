import { describe, expect, it } from '@jest/globals';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import {
  completeWithTransaction,
  httpIdempotency,
  idempotency,
  IdempotencyInProgressError,
  withIdempotencyTimeout,
  type IdempotencyOutcome,
} from '../../lib/idempotency/index.js';
import { restEvent } from '../support/api-gateway-events.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { useStoreFixture } from '../support/store-fixture.js';

// Middy's early timeout with a custom `timeoutEarlyResponse` runs the `after` middlewares with that response while the
// handler still runs. Whatever the response (a value, an HTTP 408, undefined, a thrown error), the claim must stay
// IN_PROGRESS: neither stored nor released. The idempotency clock is frozen, so the lease never ends during a test
// however slow the machine; only Middy's timer runs on real time.
const fixture = useStoreFixture();
const frozenNowMs = Date.now();
const now = () => frozenNowMs;
// Middy fires its timeout at remaining time minus timeoutEarlyInMillis: here after about 50 ms.
const context = (): Context => createLambdaContext({ remainingMs: 10_050 });
const timeoutEarlyInMillis = 10_000;

/** A handler that runs until `finish()` is called, counting its executions. */
function createHangingHandler<TResult>(result: TResult) {
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const state = { executions: 0, finish };
  const handler = async () => {
    state.executions += 1;
    await finished;
    return result;
  };
  return { state, handler };
}

const readStatus = async (outcomes: IdempotencyOutcome[]) => {
  const recordId = outcomes.find((outcome) => outcome.type === 'claimed')?.recordId;
  const item = (await fixture.client.send(new GetItemCommand({ TableName: fixture.tableName, Key: { id: { S: recordId! } }, ConsistentRead: true }))).Item;
  return item?.status?.S;
};

describe('a custom Middy timeoutEarlyResponse wired through withIdempotencyTimeout', () => {
  it.each([
    ['an HTTP 408', () => ({ statusCode: 408, body: '' })],
    ['a 200 placeholder', () => ({ statusCode: 200, body: '{"status":"pending"}' })],
  ])('httpIdempotency keeps the key IN_PROGRESS after %s: duplicates get 409 and the handler runs once', async (_kind, response) => {
    // Arrange
    const outcomes: IdempotencyOutcome[] = [];
    const { state, handler: hang } = createHangingHandler({ statusCode: 201, body: '{"placed":true}' });
    const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>(withIdempotencyTimeout({ timeoutEarlyInMillis, timeoutEarlyResponse: response }))
      // The duplicate is answered at once (no wait): this test is about the record the timeout leaves.
      .use(
        httpIdempotency<APIGatewayProxyEvent, APIGatewayProxyResult>({
          store: fixture.store,
          now,
          onOutcome: (outcome) => outcomes.push(outcome),
          waitForInProgressMs: 0,
        }),
      )
      .handler(hang);
    const event = restEvent({ headers: { 'Idempotency-Key': randomUUID() }, body: '{"amount":1}' });

    // Act
    const timedOut = await handler(event, context());
    const statusAfterTimeout = await readStatus(outcomes);
    const duplicate = await handler(event, context());
    state.finish();

    // Assert
    expect(timedOut).toEqual(response());
    expect(statusAfterTimeout).toBe('IN_PROGRESS');
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.headers?.['Retry-After']).toBeDefined();
    expect(state.executions).toBe(1);
    expect(outcomes.map((outcome) => outcome.type)).toEqual(['claimed', 'in-progress']);
  });

  it.each([
    ['a value', () => 'timed out'],
    ['undefined', () => undefined],
    [
      'a thrown error',
      () => {
        throw new Error('gave up');
      },
    ],
  ])('idempotency() neither stores nor releases after %s', async (_kind, response) => {
    // Arrange
    const outcomes: IdempotencyOutcome[] = [];
    const { state, handler: hang } = createHangingHandler('the real result');
    const handler = middy<{ id: string }, string>(withIdempotencyTimeout({ timeoutEarlyInMillis, timeoutEarlyResponse: response }))
      .use(idempotency<{ id: string }, string>({ store: fixture.store, key: (event) => event.id, now, onOutcome: (outcome) => outcomes.push(outcome) }))
      .handler(hang);
    const event = { id: randomUUID() };

    // Act
    await handler(event, context()).catch(() => undefined);
    const statusAfterTimeout = await readStatus(outcomes);
    const duplicate = await handler(event, context()).catch((error: unknown) => error);
    state.finish();

    // Assert
    expect(statusAfterTimeout).toBe('IN_PROGRESS');
    expect(duplicate).toBeInstanceOf(IdempotencyInProgressError);
    expect(state.executions).toBe(1);
    expect(outcomes.map((outcome) => outcome.type)).toEqual(['claimed', 'in-progress']);
  });

  it('keeps the plugin options it wraps, including a requestStart hook', async () => {
    // Arrange
    const started: unknown[] = [];
    const plugin = withIdempotencyTimeout({ requestStart: () => started.push('started') });
    const handler = middy<{ id: string }, string>(plugin)
      .use(idempotency<{ id: string }, string>({ store: fixture.store, key: (event) => event.id, now }))
      .handler(async () => 'ran');
    const event = { id: randomUUID() };

    // Act
    const result = await handler(event, context());

    // Assert
    expect(result).toBe('ran');
    expect(started).toEqual(['started']);
  });

  it('refuses a transaction from a handler that resumes after its invocation timed out: the claim was given up', async () => {
    // Arrange
    const outcomes: IdempotencyOutcome[] = [];
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    let resumed: Promise<unknown> = Promise.resolve();
    const handler = middy<{ id: string }, string>(withIdempotencyTimeout({ timeoutEarlyInMillis, timeoutEarlyResponse: () => 'timed out' }))
      .use(idempotency<{ id: string }, string>({ store: fixture.store, key: (event) => event.id, now, onOutcome: (outcome) => outcomes.push(outcome) }))
      .handler(async (_event, lambdaContext) => {
        await finished;
        resumed = completeWithTransaction(lambdaContext, { writes: [], result: 'late' });
        await resumed.catch(() => undefined);
        return 'late';
      });

    // Act
    const answer = await handler({ id: randomUUID() }, context());
    finish();
    await new Promise((resolve) => setImmediate(resolve));
    const lateCommit = await resumed.then(
      () => 'committed',
      (error: unknown) => error,
    );

    // Assert
    expect(answer).toBe('timed out');
    expect(lateCommit).toBeInstanceOf(TypeError);
    expect(await readStatus(outcomes)).toBe('IN_PROGRESS');
  });
});
