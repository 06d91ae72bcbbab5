import { beforeAll, describe, expect, it } from '@jest/globals';
import { createOrdersTable, dynamoDBEndpoint } from '../support/dynamodb.js';
import { placeOrderAndKill } from '../support/processes/killed-worker.js';
import { createOrderClient, type OrderClient } from '../support/processes/order-client.js';
import type { PlacerStep } from '../support/processes/order-placer.js';
import { replayHint, seededRandom, testSeed } from '../support/seed.js';
import { useStoreFixture } from '../support/store-fixture.js';

const leaseMs = 1_500;
const iterations = 10;

const fixture = useStoreFixture();
let ordersTable: string;
let orders: OrderClient;

beforeAll(async () => {
  ordersTable = await createOrdersTable(fixture.client);
  orders = createOrderClient(fixture.store, fixture.client, ordersTable);
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

describe('a Lambda process killed with SIGKILL', () => {
  it('leaves no order when killed after the claim, and the retry after the lease places exactly one', async () => {
    // Arrange
    const key = `crash-before-${Math.random().toString(36).slice(2)}`;

    // Act
    const steps = await runAndKill(key, 'claimed');
    const ordersAfterCrash = await orders.ordersFor(key);
    const retried = await orders.retryUntilAnswered(key);

    // Assert
    expect(steps).toEqual(['claimed']);
    expect(ordersAfterCrash).toEqual([]);
    expect(await orders.ordersFor(key)).toEqual([retried.orderId]);
  });

  it('replays to the retry when killed after the transaction, with still exactly one order', async () => {
    // Arrange
    const key = `crash-after-${Math.random().toString(36).slice(2)}`;

    // Act
    const steps = await runAndKill(key, 'committed');
    const ordersAfterCrash = await orders.ordersFor(key);
    const retried = await orders.retryUntilAnswered(key);

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
      const retried = await orders.retryUntilAnswered(plan.key);
      results.push({ plan, retried, placed: await orders.ordersFor(plan.key) });
    }

    // Assert
    for (const { retried, placed } of results) expect(placed).toEqual([retried.orderId]);
  }, 120_000);
});
