import { describe, expect, it } from '@jest/globals';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { httpIdempotency, IdempotencyInProgressError } from '../../lib/idempotency/index.js';
import { restEvent } from '../support/api-gateway-events.js';
import { createOrdersTable, dynamoDBEndpoint } from '../support/dynamodb.js';
import { isTypedRefusal } from '../support/http-outcome.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { placeOrderAndKill } from '../support/processes/killed-worker.js';
import { createOrderPlacer } from '../support/processes/order-placer.js';
import { useStoreFixture } from '../support/store-fixture.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const retries = 5;
const fixture = useStoreFixture();

/**
 * Calls `call` until it stops answering "in progress", as a client polling every 50 ms would. It only waits for the
 * one invocation that runs, so it sets no bound of its own: a run that never ends fails the test at Jest's timeout.
 */
async function untilAnswered<T>(call: () => Promise<T>, isInProgress: (value: T | unknown) => boolean): Promise<T> {
  for (;;) {
    const value = await call().catch((error: unknown) => error);
    if (!isInProgress(value)) return value as T;
    await sleep(50);
  }
}

describe('a handler that exceeds its remaining time (Middy early timeout)', () => {
  it('keeps its key blocked with 409 and Retry-After until the lease ends, then exactly one of many retries runs', async () => {
    // Arrange
    const leaseMs = 3_000;
    let executions = 0;
    // The library's clock stands still until the test moves it past the lease, so "before the lease ends" does not
    // depend on how fast the machine is; Middy's timer and the handler's sleep use real time.
    let clockMs = Date.now();
    // Middy gives up half-way through the lease, so a duplicate can arrive after the timeout and before the lease ends.
    const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>({ timeoutEarlyInMillis: leaseMs / 2 })
      // Duplicates are answered at once (no wait): this test is about the 409 while the lease lasts.
      .use(httpIdempotency<APIGatewayProxyEvent, APIGatewayProxyResult>({ store: fixture.store, now: () => clockMs, waitForInProgressMs: 0 }))
      .handler(async (_event, context) => {
        const execution = ++executions;
        // The first execution runs until Lambda would kill it at its deadline.
        if (execution === 1) await sleep(context.getRemainingTimeInMillis());
        return { statusCode: 201, body: JSON.stringify({ execution }) };
      });
    const event = restEvent({ headers: { 'Idempotency-Key': randomUUID() }, body: '{"amount":1}' });
    const invoke = (budgetMs: number) => {
      const deadlineMs = Date.now() + budgetMs;
      return handler(event, createLambdaContext({ remaining: () => deadlineMs - Date.now() }));
    };

    // Act
    const timedOut = invoke(leaseMs).catch((error: unknown) => error);
    while (executions === 0) await sleep(10);
    const blocked = await invoke(10_000);
    const timeoutError = await timedOut;
    const blockedAfterTimeout = await invoke(10_000);
    clockMs += leaseMs + 1;
    const answers = await Promise.all(
      Array.from({ length: retries }, () =>
        untilAnswered(
          () => invoke(10_000),
          (answer) => (answer as APIGatewayProxyResult).statusCode === 409,
        ),
      ),
    );

    // Assert
    expect((timeoutError as Error).name).toBe('TimeoutError');
    expect(blocked.statusCode).toBe(409);
    expect(isTypedRefusal(blocked)).toBe(true);
    expect(blockedAfterTimeout.statusCode).toBe(409);
    expect(executions).toBe(2);
    expect(answers.map((answer) => answer.statusCode)).toEqual(Array(retries).fill(201));
    expect(new Set(answers.map((answer) => answer.body))).toEqual(new Set(['{"execution":2}']));
  });
});

describe('a Lambda process killed with SIGKILL after its claim', () => {
  it('keeps its key blocked until the lease ends, then exactly one of many retries places the order', async () => {
    // Arrange
    const ordersTable = await createOrdersTable(fixture.client);
    const key = `killed-${randomUUID()}`;
    const placeOrder = createOrderPlacer(fixture.store, ordersTable);
    const retry = () => placeOrder({ key }, createLambdaContext({ functionName: 'place-order', remainingMs: 10_000 }));
    const { signal } = await placeOrderAndKill({
      endpoint: dynamoDBEndpoint(),
      idempotencyTable: fixture.tableName,
      ordersTable,
      key,
      killAfter: 'claimed',
      leaseMs: 4_000,
    });

    // Act
    const blocked = await retry().catch((error: unknown) => error);
    await sleep((blocked as IdempotencyInProgressError).retryAfterSeconds * 1000);
    const answers = await Promise.all(Array.from({ length: retries }, () => untilAnswered(retry, (answer) => answer instanceof IdempotencyInProgressError)));
    const scan = await fixture.client.send(new ScanCommand({ TableName: ordersTable, ConsistentRead: true }));

    // Assert
    expect(signal).toBe('SIGKILL');
    expect(blocked).toBeInstanceOf(IdempotencyInProgressError);
    expect(scan.Items?.map((item) => item.orderId?.S)).toEqual([answers[0]?.orderId]);
    expect(new Set(answers.map((answer) => answer.orderId)).size).toBe(1);
  }, 60_000);
});
