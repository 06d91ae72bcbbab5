import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import {
  completeWithTransaction,
  createDynamoDBStore,
  IdempotencyStoreError,
  IdempotencyTransactionCanceledError,
  type DynamoDBStore,
} from '../../lib/idempotency/index.js';
import { adapters } from '../support/adapters.js';
import { restEvent } from '../support/api-gateway-events.js';
import { createIdempotencyTable, createOrdersTable, createTestClient, dynamoDBEndpoint } from '../support/dynamodb.js';
import { injectFaults, transactionCanceledError } from '../support/fault-injector.js';
import { createLambdaContext } from '../support/lambda-context.js';

// Reasons DynamoDB gives when a transaction met load or another transaction: a retry may pass, so none is the caller's answer.
const transientCodes = ['ThrottlingError', 'TransactionConflict', 'ProvisionedThroughputExceeded'];
let client: DynamoDBClient;
let faulty: DynamoDBClient;
let ordersTable: string;
let store: DynamoDBStore;
const fresh = () => `cancel-${Math.random().toString(36).slice(2)}`;
const readOrder = async (orderId: string) =>
  (await client.send(new GetItemCommand({ TableName: ordersTable, Key: { orderId: { S: orderId } }, ConsistentRead: true }))).Item;

beforeAll(async () => {
  client = createTestClient();
  faulty = createTestClient();
  ordersTable = await createOrdersTable(client);
  store = createDynamoDBStore({ tableName: await createIdempotencyTable(client), client: faulty });
});
afterAll(() => {
  client.destroy();
  faulty.destroy();
});

describe.each(adapters)('completeWithTransaction cancelled for a transient reason, through the %s', (_adapter, wrap) => {
  it.each(
    transientCodes.flatMap((code) => [
      [code, [code, 'None']],
      [code, ['None', code]],
    ]),
  )('throws IdempotencyStoreError for %s (reasons %j), writes nothing, and frees the key for the retry', async (_code, reasons) => {
    // Arrange
    let runs = 0;
    const handler = wrap(
      async (event: { key: string }, context?: Context) => {
        runs += 1;
        await completeWithTransaction(context!, {
          writes: [{ Put: { TableName: ordersTable, Item: { orderId: { S: `${event.key}#${runs}` } } } }],
          result: runs,
        });
        return runs;
      },
      { store, key: (event) => event.key },
    );
    const key = fresh();
    injectFaults(faulty, { commands: ['TransactWriteItemsCommand'], error: transactionCanceledError(reasons as string[]), times: 1 });

    // Act
    const error = await handler({ key }, createLambdaContext()).catch((thrown: unknown) => thrown);
    const retried = await handler({ key }, createLambdaContext());

    // Assert
    expect(error).toBeInstanceOf(IdempotencyStoreError);
    expect(error).not.toBeInstanceOf(IdempotencyTransactionCanceledError);
    expect(retried).toBe(2);
    expect(await readOrder(`${key}#1`)).toBeUndefined();
    expect(await readOrder(`${key}#2`)).toBeDefined();
  });

  it('still reports a failed condition of the caller own item as IdempotencyTransactionCanceledError', async () => {
    // Arrange
    const handler = wrap(
      async (event: { key: string }, context?: Context) => {
        await completeWithTransaction(context!, {
          writes: [{ ConditionCheck: { TableName: ordersTable, Key: { orderId: { S: event.key } }, ConditionExpression: 'attribute_exists(orderId)' } }],
          result: 'never',
        });
        return 'never';
      },
      { store, key: (event) => event.key },
    );

    // Act
    const error = await handler({ key: fresh() }, createLambdaContext()).catch((thrown: unknown) => thrown);

    // Assert
    expect(error).toBeInstanceOf(IdempotencyTransactionCanceledError);
    expect((error as IdempotencyTransactionCanceledError).reasons).toEqual([{ index: 0, code: 'ConditionalCheckFailed', message: expect.any(String) }]);
  });
});

describe('the orders API when its transaction is cancelled for a transient reason', () => {
  type Handler = (event: unknown, context: Context) => Promise<APIGatewayProxyResult>;
  const handlers = {} as Record<'createIntent' | 'createOrder' | 'placeOrder', Handler>;
  let functionsClient: DynamoDBClient;
  const body = JSON.stringify({ productId: 'p-1', quantity: 2 });

  beforeAll(async () => {
    process.env.IDEMPOTENCY_TABLE_NAME = await createIdempotencyTable(client);
    process.env.ORDERS_TABLE_NAME = await createOrdersTable(client);
    process.env.DYNAMODB_ENDPOINT = dynamoDBEndpoint();
    functionsClient = (await import('../../functions/shared/clients.js')).dynamoDBClient;
    handlers.createIntent = (await import('../../functions/orders/create-order-intent.js')).handler as unknown as Handler;
    handlers.createOrder = (await import('../../functions/orders/create-order.js')).handler as unknown as Handler;
    handlers.placeOrder = (await import('../../functions/orders/place-order.js')).handler as unknown as Handler;
  });

  const placeOrder = (orderId: string) =>
    handlers.placeOrder(
      restEvent({
        method: 'PUT',
        resource: '/orders/{orderId}',
        path: `/orders/${orderId}`,
        pathParameters: { orderId },
        headers: { 'Content-Type': 'application/json' },
        body,
      }),
      createLambdaContext(),
    );
  const createOrder = (key: string) =>
    handlers.createOrder(
      restEvent({ method: 'POST', resource: '/orders', path: '/orders', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key }, body }),
      createLambdaContext(),
    );

  it.each(transientCodes)('answers PUT /orders/{orderId} with 503 and Retry-After for %s, then places the order on the retry', async (code) => {
    // Arrange
    const intent = await handlers.createIntent(
      restEvent({ method: 'POST', resource: '/order-intents', path: '/order-intents', body: null }),
      createLambdaContext(),
    );
    const { orderId } = JSON.parse(intent.body) as { orderId: string };
    injectFaults(functionsClient, { commands: ['TransactWriteItemsCommand'], error: transactionCanceledError([code, 'None']), times: 1 });

    // Act
    const refused = await placeOrder(orderId);
    const retried = await placeOrder(orderId);

    // Assert
    expect(refused.statusCode).toBe(503);
    expect(refused.headers?.['Retry-After']).toBe('1');
    expect(refused.headers?.['Content-Type']).toBe('application/problem+json');
    expect(retried.statusCode).toBe(201);
    expect(JSON.parse(retried.body)).toMatchObject({ orderId, status: 'PLACED' });
  });

  it.each(transientCodes)('answers POST /orders with 503 and Retry-After for %s, then creates the order on the retry', async (code) => {
    // Arrange
    const key = fresh();
    injectFaults(functionsClient, { commands: ['TransactWriteItemsCommand'], error: transactionCanceledError([code, 'None']), times: 1 });

    // Act
    const refused = await createOrder(key);
    const retried = await createOrder(key);
    const replayed = await createOrder(key);

    // Assert
    expect(refused.statusCode).toBe(503);
    expect(refused.headers?.['Retry-After']).toBe('1');
    expect(refused.headers?.['Content-Type']).toBe('application/problem+json');
    expect(retried.statusCode).toBe(201);
    expect(replayed.body).toBe(retried.body);
  });
});
