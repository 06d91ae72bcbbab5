import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startPaymentProvider, type PaymentProvider } from '../../lib/local/payment-provider.js';
import { createOrdersTable, dynamoDBEndpoint } from '../support/dynamodb.js';
import { placeOrderAndKill } from '../support/processes/killed-worker.js';
import { createOrderClient, type OrderClient, type PlacedOrder } from '../support/processes/order-client.js';
import type { PlacerStep } from '../support/processes/order-placer.js';
import { replayHint, seededRandom, testSeed } from '../support/seed.js';
import { useStoreFixture } from '../support/store-fixture.js';

// Real worker processes charge a real (loopback) payment provider through `step`, then place the order with
// completeWithTransaction, and die by SIGKILL at seeded random points; clients then retry until answered.
const leaseMs = 1_500;
const keys = 4;
const killsPerKey = 3;
const killPoints: readonly PlacerStep[] = ['claimed', 'charged', 'checkpointed', 'committed'];

const fixture = useStoreFixture();
let ordersTable: string;
let provider: PaymentProvider;
let orders: OrderClient;

beforeAll(async () => {
  ordersTable = await createOrdersTable(fixture.client);
  provider = await startPaymentProvider();
  orders = createOrderClient(fixture.store, fixture.client, ordersTable, provider.url);
});
afterAll(() => provider.close());

/** Kills a worker for `key` `kills` times at the planned points; returns what the workers that finished answered. */
async function crashLoop(key: string, plans: ReadonlyArray<{ killAfter: PlacerStep; delayMs: number | undefined }>): Promise<PlacedOrder[]> {
  const answered: PlacedOrder[] = [];
  for (const plan of plans) {
    const { steps } = await placeOrderAndKill({
      endpoint: dynamoDBEndpoint(),
      idempotencyTable: fixture.tableName,
      ordersTable,
      key,
      leaseMs,
      paymentsUrl: provider.url,
      ...plan,
    });
    // A worker that got past its kill point (its step was already stored, or the delay ran out late) answered.
    for (const line of steps) if (line.startsWith('answered ')) answered.push(JSON.parse(line.slice('answered '.length)) as PlacedOrder);
  }
  return answered;
}

describe('a payment step under SIGKILL', () => {
  it(`charges once, places one order and gives every client one answer over ${keys * killsPerKey} kills (${replayHint})`, async () => {
    // Arrange: per key, kills at a chosen point, or a random number of ms after the worker went on from it.
    const random = seededRandom(testSeed);
    const plans = Array.from({ length: keys }, (_, index) => ({
      key: `step-crash-${testSeed}-${index}-${Math.random().toString(36).slice(2)}`,
      kills: Array.from({ length: killsPerKey }, () => ({
        killAfter: killPoints[Math.floor(random() * killPoints.length)] as PlacerStep,
        delayMs: random() < 0.4 ? undefined : Math.floor(random() * 150),
      })),
    }));

    // Act: keys run side by side; each key's kills one after another, then two clients at once.
    const results = await Promise.all(
      plans.map(async (plan) => {
        const answeredByWorkers = await crashLoop(plan.key, plan.kills);
        const clients = await Promise.all([orders.retryUntilAnswered(plan.key), orders.retryUntilAnswered(plan.key)]);
        return { plan, answers: [...answeredByWorkers, ...clients], placed: await orders.ordersFor(plan.key) };
      }),
    );

    // Assert
    for (const { plan, answers, placed } of results) {
      const first = answers[0];
      expect({ key: plan.key, charges: provider.chargesFor(plan.key), orders: placed.length }).toEqual({ key: plan.key, charges: 1, orders: 1 });
      expect(first?.orderId).toBe(placed[0]);
      expect(first?.chargeId).toMatch(/^ch_/);
      for (const answer of answers) expect(answer).toEqual(first);
    }
  }, 240_000);
});
