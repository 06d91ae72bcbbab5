import { beforeAll, describe, expect, it } from '@jest/globals';
import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnElement } from 'aws-cdk-lib';
import { randomUUID } from 'node:crypto';
import { orderRoutes } from '../../functions/routes.js';
import { createOrdersApiApp } from '../../lib/orders-api-app.js';
import type { OrdersApiStack } from '../../lib/orders-api-stack.js';
import { allowedPairs, createOutdir, templateAppProps } from '../infra/cdk-template.js';
import { restEvent } from '../support/api-gateway-events.js';
import { createIdempotencyTable, createOrdersTable, createTestClient, dynamoDBEndpoint } from '../support/dynamodb.js';
import { createLambdaContext } from '../support/lambda-context.js';

// IAM grants exactly what each function calls: the actions come from the synthesized template, the calls from running
// every route's handler through its paths against DynamoDB Local and recording what reaches the client.
type Handler = (event: unknown, context: unknown) => Promise<APIGatewayProxyResult>;
type Table = 'orders' | 'idempotency';
const handlers = new Map<string, Handler>();
const observed = new Map<string, Set<string>>();
let running = '';
let tableOf: (name: string | undefined) => Table | undefined;
let stack: OrdersApiStack;
let template: Template;
const out = createOutdir();

// The IAM action each item of a request needs; a transaction needs the action of each of its items.
const itemActions = (commandName: string, input: Record<string, unknown>): Array<[string | undefined, string]> => {
  if (commandName === 'TransactWriteItemsCommand') {
    const items = (input.TransactItems ?? []) as TransactWriteItem[];
    const kinds = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem' } as const;
    return items.flatMap((item) =>
      Object.entries(kinds)
        .filter(([kind]) => kind in item)
        .map(([kind, action]): [string | undefined, string] => [(item as Record<string, { TableName?: string }>)[kind].TableName, action]),
    );
  }
  // The document client's commands (PutCommand) reach the base client as their item commands (PutItemCommand).
  const action = commandName.replace(/Command$/, '').replace(/^(Put|Get|Update|Delete)$/, '$1Item');
  return [[input.TableName as string | undefined, action]];
};

beforeAll(async () => {
  const setup = createTestClient();
  const tables = { orders: await createOrdersTable(setup), idempotency: await createIdempotencyTable(setup) };
  setup.destroy();
  process.env.ORDERS_TABLE_NAME = tables.orders;
  process.env.IDEMPOTENCY_TABLE_NAME = tables.idempotency;
  process.env.DYNAMODB_ENDPOINT = dynamoDBEndpoint();
  tableOf = (name) => (name === tables.orders ? 'orders' : name === tables.idempotency ? 'idempotency' : undefined);
  const { dynamoDBClient } = await import('../../functions/shared/clients.js');
  dynamoDBClient.middlewareStack.add(
    (next, context) => async (args) => {
      for (const [tableName, action] of itemActions(context.commandName ?? '', (args as { input: Record<string, unknown> }).input)) {
        const calls = observed.get(running) ?? new Set<string>();
        calls.add(`${tableOf(tableName) ?? tableName} dynamodb:${action}`);
        observed.set(running, calls);
      }
      return next(args);
    },
    { step: 'initialize', name: 'testIamRecorder' },
  );
  for (const route of orderRoutes) {
    handlers.set(route.name, (await import(`../../functions/${route.entry.replace(/\.ts$/, '.js')}`)).handler as Handler);
  }
  stack = createOrdersApiApp(templateAppProps(out.outdir)).stack;
  template = Template.fromStack(stack);
  await exerciseEveryRoute();
}, 180_000);

const call = async (name: string, parts: Parameters<typeof restEvent>[0]) => {
  running = name;
  const answer = await handlers.get(name)!(restEvent(parts), createLambdaContext({ functionName: name }));
  running = '';
  return answer;
};
const order = JSON.stringify({ productId: 'sku-1', quantity: 2 });

/** Sends each route the requests that reach each of its DynamoDB calls: success, replay and refusals. */
async function exerciseEveryRoute(): Promise<void> {
  const key = () => ({ 'Idempotency-Key': randomUUID() });
  const headers = key();
  const created = JSON.parse((await call('CreateOrder', { method: 'POST', resource: '/orders', path: '/orders', headers, body: order })).body)
    .orderId as string;
  await call('CreateOrder', { method: 'POST', resource: '/orders', path: '/orders', headers, body: order });
  await call('CreateOrder', { method: 'POST', resource: '/orders', path: '/orders', headers: key(), body: '{"quantity":0}' });
  const byId = (orderId: string) => ({ resource: '/orders/{orderId}', path: `/orders/${orderId}`, pathParameters: { orderId } });
  await call('GetOrder', { method: 'GET', ...byId(created) });
  await call('GetOrder', { method: 'GET', ...byId('missing') });
  const intent = JSON.parse((await call('CreateOrderIntent', { method: 'POST', resource: '/order-intents', path: '/order-intents' })).body).orderId as string;
  await call('PlaceOrder', { method: 'PUT', ...byId(intent), body: order });
  await call('PlaceOrder', { method: 'PUT', ...byId(intent), body: order });
  await call('PlaceOrder', { method: 'PUT', ...byId('never-issued'), body: order });
  await call('CancelOrder', { method: 'DELETE', ...byId(intent) });
  await call('CancelOrder', { method: 'DELETE', ...byId('never-issued') });
}

const idOf = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as CfnElement);

/** The table actions the template allows a route's role, as `<table> dynamodb:<Action>`. */
function grantedTableActions(name: string): Set<string> {
  const resources: Record<string, Table> = {
    [JSON.stringify({ 'Fn::GetAtt': [idOf(stack.ordersTable), 'Arn'] })]: 'orders',
    [JSON.stringify({ 'Fn::GetAtt': [idOf(stack.idempotencyTable.table), 'Arn'] })]: 'idempotency',
  };
  const role = stack.functions.get(name)!.role!;
  return new Set(
    allowedPairs(template, idOf(role))
      .map((pair) => pair.split(' on '))
      .filter(([, resource]) => resources[resource] !== undefined)
      .map(([action, resource]) => `${resources[resource]} ${action}`),
  );
}

describe('the orders stack grants each function exactly the table actions it calls', () => {
  it.each(orderRoutes.map((route) => [route.name]))('%s', (name) => {
    const granted = grantedTableActions(name);
    const calls = observed.get(name) ?? new Set<string>();
    const ordersOnly = (actions: Set<string>) => [...actions].filter((action) => action.startsWith('orders ')).sort();

    // On the orders table: nothing more, nothing less.
    expect(ordersOnly(granted)).toEqual(ordersOnly(calls));
    // On the idempotency table: every call allowed (the grant also covers the rare consistent read after a claim).
    for (const action of calls) expect(granted).toContain(action);
    expect([...calls].every((action) => action.startsWith('orders ') || action.startsWith('idempotency '))).toBe(true);
  });
});
