import { randomUUID } from 'node:crypto';
import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import { chargePayment } from '../functions/shared/payments.js';
import { completeWithTransaction, createDynamoDBStore, idempotency, step } from '../lib/idempotency/index.js';
import { createIdempotencyTable, createOrdersTable } from '../test/support/dynamodb.js';
import { createLambdaContext } from '../test/support/lambda-context.js';
import { recordCalls, type CommandLog } from '../test/support/call-counter.js';
import { createBenchClient } from './clients.js';
import { reportProgress } from './progress.js';
import { sampleGroup, type Cell } from './sampling.js';
import type { BenchSettings } from './settings.js';
import { medianOfRounds, summarize, type Percentiles } from './stats.js';
import { libraries, type Library } from './subjects.js';

/** A placed order end to end, per library: the DynamoDB commands of one first call and its latency. */
export type PlacedOrderResults = Record<Library, { readonly commands: CommandLog; readonly latency: Percentiles }> & { readonly ratio: Percentiles };

interface OrderEvent {
  readonly key: string;
  readonly productId: string;
  readonly quantity: number;
}

type OrderHandler = (event: OrderEvent, context: Context) => Promise<{ statusCode: number; body: string }>;

const orderItem = (ordersTable: string, event: OrderEvent, orderId: string) => ({
  TableName: ordersTable,
  Item: { orderId: { S: orderId }, productId: { S: event.productId }, quantity: { N: String(event.quantity) }, status: { S: 'PLACED' } },
  ConditionExpression: 'attribute_not_exists(orderId)',
});

/** Charges the order at the provider with `idempotencyKey`; resolves with the charge id. */
const charge = async (paymentsUrl: string, idempotencyKey: string, event: OrderEvent) =>
  (await chargePayment(paymentsUrl, idempotencyKey, { order: event.key, amountCents: event.quantity * 1250 })).chargeId;

/**
 * Ours: the order and the completion in one transaction, so a crash never leaves one without the other; with
 * `paymentsUrl`, the order is first charged there through a step, with the step's derived key.
 */
function oursPlacingOrders(client: DynamoDBClient, tableName: string, ordersTable: string, paymentsUrl?: string): OrderHandler {
  const store = createDynamoDBStore({ tableName, client });
  return middy(async (event: OrderEvent, context: Context) => {
    const chargeId = paymentsUrl === undefined ? undefined : await step(context, 'charge', ({ idempotencyKey }) => charge(paymentsUrl, idempotencyKey, event));
    const orderId = randomUUID();
    const response = { statusCode: 201, body: JSON.stringify({ orderId, status: 'PLACED', chargeId }) };
    await completeWithTransaction(context, { writes: [{ Put: orderItem(ordersTable, event, orderId) }], result: response });
    return response;
  }).use(idempotency<OrderEvent, { statusCode: number; body: string }>({ store, key: (event) => event.key }));
}

/**
 * Powertools as its docs show it: the handler writes the order with its own PutItem, the middleware completes after;
 * with `paymentsUrl`, the handler first charges there with a key derived by hand from the client's.
 */
function powertoolsPlacingOrders(client: DynamoDBClient, tableName: string, ordersTable: string, paymentsUrl?: string): OrderHandler {
  const persistenceStore = new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client });
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'key' });
  return middy(async (event: OrderEvent) => {
    const chargeId = paymentsUrl === undefined ? undefined : await charge(paymentsUrl, `${event.key}:charge`, event);
    const orderId = randomUUID();
    await client.send(new PutItemCommand(orderItem(ordersTable, event, orderId)));
    return { statusCode: 201, body: JSON.stringify({ orderId, status: 'PLACED', chargeId }) };
  }).use(makeHandlerIdempotent({ persistenceStore, config }));
}

/**
 * Times a first call that places an order (idempotency plus the order write; with `paymentsUrl`, a charge at that
 * provider first) for both libraries, interleaved call by call, and records the DynamoDB commands one such call sends.
 */
export async function measurePlacedOrder(endpoint: string, settings: BenchSettings, paymentsUrl?: string): Promise<PlacedOrderResults> {
  const label = paymentsUrl === undefined ? 'placed order' : 'paid order';
  const context = createLambdaContext({ functionName: 'bench-orders', remainingMs: 30_000 });
  const event = (): OrderEvent => ({ key: randomUUID(), productId: 'sku-1', quantity: 2 });
  const cells = new Map<string, Cell>();
  const commands = new Map<Library, CommandLog>();
  for (const library of libraries) {
    const client = createBenchClient(endpoint);
    const [tableName, ordersTable] = [await createIdempotencyTable(client), await createOrdersTable(client)];
    const handler = (library === 'ours' ? oursPlacingOrders : powertoolsPlacingOrders)(client, tableName, ordersTable, paymentsUrl);
    commands.set(library, (await recordCalls(client).during(() => handler(event(), context))).commands);
    cells.set(library, () => handler(event(), context));
  }
  reportProgress(`${label}: warm-up`);
  await sampleGroup(cells, settings.warmupPassCalls);
  const rounds = new Map<Library, Percentiles[]>(libraries.map((library) => [library, []]));
  for (let round = 0; round < settings.rounds; round++) {
    reportProgress(`${label} round ${round + 1}/${settings.rounds}`);
    for (const [library, samples] of await sampleGroup(cells, settings.latencyCalls)) rounds.get(library as Library)?.push(summarize(samples));
  }
  const ours = rounds.get('ours') as Percentiles[];
  const theirs = rounds.get('powertools') as Percentiles[];
  const ratio = medianOfRounds(ours.map((o, i) => ({ p50: o.p50 / theirs[i]!.p50, p90: o.p90 / theirs[i]!.p90, p99: o.p99 / theirs[i]!.p99 })));
  return {
    ours: { commands: commands.get('ours') ?? [], latency: medianOfRounds(ours) },
    powertools: { commands: commands.get('powertools') ?? [], latency: medianOfRounds(theirs) },
    ratio,
  };
}
