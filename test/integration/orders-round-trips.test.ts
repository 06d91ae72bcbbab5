import { beforeAll, describe, expect, it } from '@jest/globals';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { restEvent } from '../support/api-gateway-events.js';
import { countCalls, type CallCounter } from '../support/call-counter.js';
import { createIdempotencyTable, createOrdersTable, createTestClient, dynamoDBEndpoint } from '../support/dynamodb.js';
import { createLambdaContext } from '../support/lambda-context.js';

type Handler = (event: unknown, context: unknown) => Promise<APIGatewayProxyResult>;
let createOrder: Handler;
let createIntent: Handler;
let placeOrder: Handler;
let counter: CallCounter;

beforeAll(async () => {
  const setup = createTestClient();
  // The handler modules read their tables and endpoint at cold start, as on Lambda.
  process.env.IDEMPOTENCY_TABLE_NAME = await createIdempotencyTable(setup);
  process.env.ORDERS_TABLE_NAME = await createOrdersTable(setup);
  process.env.DYNAMODB_ENDPOINT = dynamoDBEndpoint();
  setup.destroy();
  counter = countCalls((await import('../../functions/shared/clients.js')).dynamoDBClient);
  createOrder = (await import('../../functions/orders/create-order.js')).handler as unknown as Handler;
  createIntent = (await import('../../functions/orders/create-order-intent.js')).handler as unknown as Handler;
  placeOrder = (await import('../../functions/orders/place-order.js')).handler as unknown as Handler;
});

const body = JSON.stringify({ productId: 'sku-1', quantity: 2 });

describe('orders API round trips', () => {
  it('places an order with POST in two DynamoDB calls (claim + transaction) and replays it in one', async () => {
    // Arrange
    const event = restEvent({ method: 'POST', resource: '/orders', path: '/orders', headers: { 'Idempotency-Key': `k-${Math.random()}` }, body });
    counter.reset();

    // Act
    const first = await createOrder(event, createLambdaContext({ functionName: 'create-order' }));
    const firstCalls = { ...counter.calls };
    counter.reset();
    const replay = await createOrder(event, createLambdaContext({ functionName: 'create-order' }));

    // Assert
    expect(first.statusCode).toBe(201);
    expect(replay.body).toBe(first.body);
    expect(firstCalls).toEqual({ PutItemCommand: 1, TransactWriteItemsCommand: 1 });
    expect(counter.calls).toEqual({ PutItemCommand: 1 });
  });

  it('places an order intent with PUT in two DynamoDB calls, and answers 404 for an id never issued', async () => {
    // Arrange
    const intent = JSON.parse(
      (await createIntent(restEvent({ method: 'POST', resource: '/order-intents', path: '/order-intents', body: null }), createLambdaContext())).body,
    );
    const put = (orderId: string) => restEvent({ method: 'PUT', resource: '/orders/{orderId}', path: `/orders/${orderId}`, pathParameters: { orderId }, body });
    counter.reset();

    // Act
    const placed = await placeOrder(put(intent.orderId), createLambdaContext({ functionName: 'place-order' }));
    const placeCalls = { ...counter.calls };
    const unknown = await placeOrder(put('never-issued'), createLambdaContext({ functionName: 'place-order' }));

    // Assert
    expect(placed.statusCode).toBe(201);
    expect(JSON.parse(placed.body)).toMatchObject({ orderId: intent.orderId, status: 'PLACED', productId: 'sku-1', quantity: 2 });
    expect(placeCalls).toEqual({ PutItemCommand: 1, TransactWriteItemsCommand: 1 });
    expect(unknown.statusCode).toBe(404);
  });
});
