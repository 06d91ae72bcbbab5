import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { completeWithTransaction, createDynamoDBStore, idempotency, isIdempotencyError, isIdempotencyInProgressError } from '../../lib/idempotency/index.js';
import { createIdempotencyTable, createOrdersTable, createTestClient } from '../support/dynamodb.js';
import { createExecutionLedger, type ExecutionLedger } from '../support/execution-ledger.js';
import { faultKinds, injectFaults, stepCommands } from '../support/fault-injector.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { replayHint, seededRandom, testSeed } from '../support/seed.js';

const keys = 20;
const clientsPerKey = 3;
const faultShare = 0.15;
// The remaining time each invocation reports, so the lease of its claim. Time moves on a clock of the key's own, and
// only when no client of the key is running: a lease ends because its holder is gone, never because the machine is slow.
const leaseMs = 60_000;
// What the invariant needs: a lease is waited out each time every client of the key has stopped while one waits, and a
// key may go through this many (a handful is usual; each one needs a fault or an in-progress answer).
const maxLeasesPerKey = 50;
// Not a bound on waiting (waiting uses no attempts): only a stop for a key that would never be answered.
const maxAttemptsPerClient = 1_000;
let client: DynamoDBClient;
let tableName: string;
let ordersTable: string;
let ledger: ExecutionLedger;
const injected: string[] = [];
const faultyClients: DynamoDBClient[] = [];

beforeAll(async () => {
  client = createTestClient();
  tableName = await createIdempotencyTable(client);
  ordersTable = await createOrdersTable(client);
  ledger = createExecutionLedger(client, tableName);
});
afterAll(() => {
  client.destroy();
  for (const faulty of faultyClients) faulty.destroy();
});

type Attempt = { orderId: string } | { error: unknown };

/**
 * One key's world: its own faulty client, drawing from streams seeded by the file's seed and the key's index (so a
 * key meets the same draws when replayed), its own clock, and a count of its attempts in flight.
 */
function keyWorld(index: number) {
  const key = `random-${testSeed}-${index}`;
  const stream = (n: number) => seededRandom(testSeed + index * 7_919 + n * 104_729);
  const faulty = createTestClient();
  faultyClients.push(faulty);
  const kinds = Object.values(faultKinds);
  const pickKind = stream(0);
  const error = () => (kinds[Math.floor(pickKind() * kinds.length)] ?? faultKinds.throttling)();
  const commands = Object.values(stepCommands);
  const onFault = (command: string) => injected.push(command);
  injectFaults(faulty, { commands, error, share: faultShare, random: stream(1), loses: 'request-lost', onFault });
  injectFaults(faulty, { commands, error, share: faultShare, random: stream(2), loses: 'response-lost', onFault });
  let clockMs = Date.now();
  const placeOrder = middy(
    async (event: { key: string }, context: Context) =>
      ledger.run(event.key, context, async () => {
        const result = { orderId: randomUUID() };
        const put = { Put: { TableName: ordersTable, Item: { orderId: { S: result.orderId }, key: { S: event.key } } } };
        await completeWithTransaction(context, { writes: [put], result });
        return result;
      }),
    // No early timeout: every attempt ends with its handler, so "no attempt in flight" means the holder is gone.
    { timeoutEarlyInMillis: 0 },
  ).use(
    idempotency<{ key: string }, { orderId: string }>({
      store: createDynamoDBStore({ tableName, client: faulty }),
      key: (event) => event.key,
      now: () => clockMs,
      expiresAfterSeconds: 7 * 86_400,
    }),
  );
  let running = 0;
  let leases = 0;
  const waitingForIdle: Array<() => void> = [];
  // With no attempt of the key in flight, whatever lease is left has no holder: wait it out by moving the key's clock.
  const waitOutStaleLease = () => {
    leases += 1;
    clockMs += leaseMs + 1;
  };
  return {
    key,
    /** Runs one invocation; the last one in flight to end lets the waiting clients go on, past the lease. */
    attempt: async (): Promise<Attempt> => {
      running += 1;
      try {
        return await placeOrder({ key }, createLambdaContext({ remainingMs: leaseMs }));
      } catch (caught) {
        return { error: caught };
      } finally {
        running -= 1;
        if (running === 0 && waitingForIdle.length > 0) {
          waitOutStaleLease();
          for (const wake of waitingForIdle.splice(0)) wake();
        }
      }
    },
    /** After an in-progress answer: waits until no attempt of the key is in flight and the lease is over; false past the cap. */
    waitOutLease: async (): Promise<boolean> => {
      if (leases >= maxLeasesPerKey) return false;
      if (running > 0) return new Promise<boolean>((resolve) => waitingForIdle.push(() => resolve(true)));
      waitOutStaleLease();
      return true;
    },
  };
}

/** A client that retries every typed refusal until it gets its order; anything untyped is returned as a failure. */
async function clientFor(world: ReturnType<typeof keyWorld>): Promise<string> {
  for (let attempt = 0; attempt < maxAttemptsPerClient; attempt++) {
    const outcome = await world.attempt();
    if ('orderId' in outcome) return outcome.orderId;
    if (!isIdempotencyError(outcome.error)) return `untyped: ${String(outcome.error)}`;
    if (isIdempotencyInProgressError(outcome.error) && !(await world.waitOutLease())) return `gave up after ${maxLeasesPerKey} leases`;
  }
  return `gave up after ${maxAttemptsPerClient} attempts`;
}

describe(`${Math.round(faultShare * 200)}% of DynamoDB calls failing at random, any kind, any step (${replayHint})`, () => {
  it('places exactly one order per key and gives every client of a key the same order', async () => {
    // Arrange
    const worlds = Array.from({ length: keys }, (_, index) => keyWorld(index));

    // Act
    const answers = await Promise.all(
      worlds.map(async (world) => ({ key: world.key, orderIds: await Promise.all(Array.from({ length: clientsPerKey }, () => clientFor(world))) })),
    );
    const scan = await client.send(new ScanCommand({ TableName: ordersTable, ConsistentRead: true }));

    // Assert
    const ordersPerKey = new Map<string, string[]>();
    for (const item of scan.Items ?? []) ordersPerKey.set(item.key?.S ?? '', [...(ordersPerKey.get(item.key?.S ?? '') ?? []), item.orderId?.S ?? '']);
    for (const { key, orderIds } of answers) expect({ key, orderIds: [...new Set(orderIds)] }).toEqual({ key, orderIds: ordersPerKey.get(key) });
    expect(ledger.violations).toEqual([]);
    expect(injected.length).toBeGreaterThan(0);
  }, 120_000);
});
