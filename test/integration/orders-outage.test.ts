import { beforeAll, describe, expect, it } from '@jest/globals';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { findFreePort } from '../../lib/local/dynamodb-local.js';
import { isDynamoDBOutage } from '../../functions/shared/dynamodb-outage.js';
import { restEvent } from '../support/api-gateway-events.js';
import { createLambdaContext } from '../support/lambda-context.js';

type Handler = (event: unknown, context: unknown) => Promise<APIGatewayProxyResult>;
let getOrder: Handler;
let createIntent: Handler;

beforeAll(async () => {
  // Every function of this file talks to a port where no DynamoDB listens.
  process.env.IDEMPOTENCY_TABLE_NAME = 'idempotency';
  process.env.ORDERS_TABLE_NAME = 'orders';
  process.env.DYNAMODB_ENDPOINT = `http://127.0.0.1:${await findFreePort()}`;
  getOrder = (await import('../../functions/orders/get-order.js')).handler as unknown as Handler;
  createIntent = (await import('../../functions/orders/create-order-intent.js')).handler as unknown as Handler;
});

describe('orders functions when DynamoDB is unreachable', () => {
  it.each([
    [
      'GET /orders/{orderId}',
      () =>
        getOrder(
          restEvent({ method: 'GET', resource: '/orders/{orderId}', path: '/orders/o-1', pathParameters: { orderId: 'o-1' }, body: null }),
          createLambdaContext(),
        ),
    ],
    [
      'POST /order-intents',
      () => createIntent(restEvent({ method: 'POST', resource: '/order-intents', path: '/order-intents', body: null }), createLambdaContext()),
    ],
  ])('answers %s with 503 problem+json and Retry-After, not a 500', async (_route, call) => {
    // Act
    const response = await call();

    // Assert
    expect(response.statusCode).toBe(503);
    expect(response.headers?.['Content-Type']).toBe('application/problem+json');
    expect(response.headers?.['Retry-After']).toBe('1');
  });
});

describe('isDynamoDBOutage', () => {
  const named = (name: string, extra: object = {}) => Object.assign(new Error(name), { name }, extra);

  it('recognises server faults, throttling, timeouts and network errors', () => {
    expect(isDynamoDBOutage(named('InternalServerError', { $fault: 'server' }))).toBe(true);
    expect(isDynamoDBOutage(named('ProvisionedThroughputExceededException', { $fault: 'client' }))).toBe(true);
    expect(isDynamoDBOutage(named('TimeoutError'))).toBe(true);
    expect(isDynamoDBOutage(named('Error', { code: 'ECONNRESET' }))).toBe(true);
    expect(isDynamoDBOutage(named('Error', { $metadata: { attempts: 3 } }))).toBe(true);
  });

  it('leaves client faults and non-errors alone', () => {
    expect(isDynamoDBOutage(named('ValidationException', { $fault: 'client', $metadata: { httpStatusCode: 400 } }))).toBe(false);
    expect(isDynamoDBOutage('ECONNRESET')).toBe(false);
    expect(isDynamoDBOutage(new TypeError('bug'))).toBe(false);
  });
});
