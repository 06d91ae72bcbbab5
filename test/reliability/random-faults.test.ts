import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { completeWithTransaction, createDynamoDBStore, idempotency, isIdempotencyError } from '../../lib/idempotency/index.js';
import { createIdempotencyTable, createOrdersTable, createTestClient } from '../support/dynamodb.js';
import { createExecutionLedger, type ExecutionLedger } from '../support/execution-ledger.js';
import { faultKinds, injectFaults, stepCommands } from '../support/fault-injector.js';
import { createLambdaContext } from '../support/lambda-context.js';

const keys = 20;
const clientsPerKey = 3;
const faultShare = 0.15;
// Long enough that a loaded machine rarely reaches Middy's early timeout; when it does, the client retries as after a Lambda timeout.
const leaseMs = 3_000;
let client: DynamoDBClient;
let faulty: DynamoDBClient;
let tableName: string;
let ordersTable: string;
let ledger: ExecutionLedger;
const injected: string[] = [];
let placeOrder: (event: { key: string }, context: Context) => Promise<{ orderId: string }>;

// A seeded generator, so a failing run can be replayed by its seed.
const seed = Number(process.env.FAULT_SEED ?? Date.now() % 100_000);
let state = seed;
const random = () => ((state = (state * 48_271) % 2_147_483_647) / 2_147_483_647);

beforeAll(async () => {
  client = createTestClient();
  tableName = await createIdempotencyTable(client);
  ordersTable = await createOrdersTable(client);
  ledger = createExecutionLedger(client, tableName);
  faulty = createTestClient();
  const kinds = Object.values(faultKinds);
  const error = () => (kinds[Math.floor(random() * kinds.length)] ?? faultKinds.throttling)();
  const commands = Object.values(stepCommands);
  const onFault = (command: string) => injected.push(command);
  injectFaults(faulty, { commands, error, share: faultShare, random, loses: 'request-lost', onFault });
  injectFaults(faulty, { commands, error, share: faultShare, random, loses: 'response-lost', onFault });
  placeOrder = middy(async (event: { key: string }, context: Context) =>
    ledger.run(event.key, context, async () => {
      const result = { orderId: randomUUID() };
      const put = { Put: { TableName: ordersTable, Item: { orderId: { S: result.orderId }, key: { S: event.key } } } };
      await completeWithTransaction(context, { writes: [put], result });
      return result;
    }),
  ).use(idempotency<{ key: string }, { orderId: string }>({ store: createDynamoDBStore({ tableName, client: faulty }), key: (event) => event.key }));
});
afterAll(() => {
  client.destroy();
  faulty.destroy();
});

/** A client that retries every typed refusal until it gets its order; anything untyped is returned as a failure. */
async function clientFor(key: string): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      return (await placeOrder({ key }, createLambdaContext({ remainingMs: leaseMs }))).orderId;
    } catch (error) {
      const lambdaTimedOut = error instanceof Error && error.name === 'TimeoutError';
      if (!isIdempotencyError(error) && !lambdaTimedOut) return `untyped: ${String(error)}`;
      await new Promise((resolve) => setTimeout(resolve, 50 + random() * 100));
    }
  }
  return 'gave up';
}

describe(`${Math.round(faultShare * 200)}% of DynamoDB calls failing at random (any kind, any step)`, () => {
  it('places exactly one order per key and gives every client of a key the same order', async () => {
    // Arrange
    const keyNames = Array.from({ length: keys }, (_, index) => `random-${seed}-${index}`);

    // Act
    const answers = await Promise.all(keyNames.map(async (key) => ({ key, orderIds: await Promise.all(Array.from({ length: clientsPerKey }, () => clientFor(key))) })));
    const scan = await client.send(new ScanCommand({ TableName: ordersTable, ConsistentRead: true }));

    // Assert
    const ordersPerKey = new Map<string, string[]>();
    for (const item of scan.Items ?? []) ordersPerKey.set(item.key?.S ?? '', [...(ordersPerKey.get(item.key?.S ?? '') ?? []), item.orderId?.S ?? '']);
    for (const { key, orderIds } of answers) expect({ key, orderIds: [...new Set(orderIds)] }).toEqual({ key, orderIds: ordersPerKey.get(key) });
    expect(ledger.violations).toEqual([]);
    expect(injected.length).toBeGreaterThan(0);
  }, 120_000);
});
