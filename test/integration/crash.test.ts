import { beforeAll, describe, expect, it } from '@jest/globals';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { IdempotencyInProgressError } from '../../lib/idempotency/index.js';
import { createOrdersTable, dynamoDBEndpoint } from '../support/dynamodb.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { placeOrderAndKill } from '../support/processes/killed-worker.js';
import { createOrderPlacer, type PlacerStep } from '../support/processes/order-placer.js';
import { replayHint, seededRandom, testSeed } from '../support/seed.js';
import { useStoreFixture } from '../support/store-fixture.js';

const leaseMs = 1_500;
const iterations = 10;
// More in-progress answers than this, each waited out, means a lease longer than the dead worker's: a bug.
const maxLeasesWaited = 3;

const fixture = useStoreFixture();
let ordersTable: string;

beforeAll(async () => {
  ordersTable = await createOrdersTable(fixture.client);
});

/** Runs the worker for `key` and SIGKILLs it at `killAfter` (or `delayMs` after it); resolves with the steps it printed. */
async function runAndKill(key: string, killAfter: PlacerStep, delayMs?: number): Promise<readonly string[]> {
  const { steps } = await placeOrderAndKill({
    endpoint: dynamoDBEndpoint(),
    idempotencyTable: fixture.tableName,
    ordersTable,
    key,
    killAfter,
    delayMs,
    leaseMs,
  });
  return steps;
}

/**
 * Retries like a client would, as the same function the worker was (so it meets the same record): on in-progress, it
 * waits the Retry-After the answer gives (the end of the dead invocation's lease) and tries again. It is bounded by a
 * number of leases, not of attempts or seconds, so a slow machine cannot exhaust it.
 */
async function retryUntilAnswered(key: string): Promise<{ orderId: string }> {
  const placeOrder = createOrderPlacer(fixture.store, ordersTable);
  for (let leases = 0; ; leases++) {
    try {
      return await placeOrder({ key }, createLambdaContext({ functionName: 'place-order', remainingMs: 10_000 }));
    } catch (error) {
      if (!(error instanceof IdempotencyInProgressError) || leases === maxLeasesWaited) throw error;
      await new Promise((resolve) => setTimeout(resolve, error.retryAfterSeconds * 1000));
    }
  }
}

async function ordersFor(key: string): Promise<string[]> {
  const scan = await fixture.client.send(
    new ScanCommand({
      TableName: ordersTable,
      ConsistentRead: true,
      FilterExpression: 'idempotencyKey = :key',
      ExpressionAttributeValues: { ':key': { S: key } },
    }),
  );
  return (scan.Items ?? []).map((item) => item.orderId?.S ?? '');
}

describe('a Lambda process killed with SIGKILL', () => {
  it('leaves no order when killed after the claim, and the retry after the lease places exactly one', async () => {
    // Arrange
    const key = `crash-before-${Math.random().toString(36).slice(2)}`;

    // Act
    const steps = await runAndKill(key, 'claimed');
    const ordersAfterCrash = await ordersFor(key);
    const retried = await retryUntilAnswered(key);

    // Assert
    expect(steps).toEqual(['claimed']);
    expect(ordersAfterCrash).toEqual([]);
    expect(await ordersFor(key)).toEqual([retried.orderId]);
  });

  it('replays to the retry when killed after the transaction, with still exactly one order', async () => {
    // Arrange
    const key = `crash-after-${Math.random().toString(36).slice(2)}`;

    // Act
    const steps = await runAndKill(key, 'committed');
    const ordersAfterCrash = await ordersFor(key);
    const retried = await retryUntilAnswered(key);

    // Assert
    expect(steps).toEqual(['claimed', 'committed']);
    expect(ordersAfterCrash).toHaveLength(1);
    expect(retried.orderId).toBe(ordersAfterCrash[0]);
  });

  it(`places exactly one order per key over ${iterations} kills at random points (${replayHint})`, async () => {
    // Arrange: a kill at a step, or a random number of ms after the worker went on from it.
    const random = seededRandom(testSeed);
    const plans = Array.from({ length: iterations }, (_, index) => ({
      key: `crash-loop-${testSeed}-${index}-${Math.random().toString(36).slice(2)}`,
      killAfter: (random() < 0.5 ? 'claimed' : 'committed') as PlacerStep,
      delayMs: random() < 0.3 ? undefined : Math.floor(random() * 100),
    }));

    // Act
    const results = [];
    for (const plan of plans) {
      await runAndKill(plan.key, plan.killAfter, plan.delayMs);
      const retried = await retryUntilAnswered(plan.key);
      results.push({ plan, retried, orders: await ordersFor(plan.key) });
    }

    // Assert
    for (const { retried, orders } of results) expect(orders).toEqual([retried.orderId]);
  }, 120_000);
});
