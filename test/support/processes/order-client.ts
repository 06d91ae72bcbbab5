import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStore } from '../../../lib/idempotency/index.js';
import { createLambdaContext } from '../lambda-context.js';
import { retryWhileInProgress } from '../retry-while-in-progress.js';
import { createOrderPlacer } from './order-placer.js';

/** What the crash tests' order placer answers. */
export interface PlacedOrder {
  readonly orderId: string;
  readonly status: string;
  readonly chargeId?: string;
}

/** A client of the crash tests' order placer, and a look at the orders it placed. */
export interface OrderClient {
  /**
   * Retries like a client would, as the same function the worker was (so it meets the same record): on in-progress,
   * it waits the Retry-After the answer gives (the end of the dead invocation's lease) and tries again. It is bounded
   * by a number of leases, not of attempts or seconds, so a slow machine cannot exhaust it.
   */
  retryUntilAnswered(key: string): Promise<PlacedOrder>;
  /** The ids of the orders placed for `key`, read consistently. */
  ordersFor(key: string): Promise<string[]>;
}

/** An {@link OrderClient} over `store` and `ordersTable`; with `paymentsUrl`, the placer charges there through a step. */
export function createOrderClient(store: DynamoDBStore, client: DynamoDBClient, ordersTable: string, paymentsUrl?: string): OrderClient {
  const placeOrder = createOrderPlacer(store, ordersTable, undefined, paymentsUrl);
  return {
    retryUntilAnswered: (key) => retryWhileInProgress(() => placeOrder({ key }, createLambdaContext({ functionName: 'place-order', remainingMs: 10_000 }))),
    ordersFor: async (key) => {
      const scan = await client.send(
        new ScanCommand({
          TableName: ordersTable,
          ConsistentRead: true,
          FilterExpression: 'idempotencyKey = :key',
          ExpressionAttributeValues: { ':key': { S: key } },
        }),
      );
      return (scan.Items ?? []).map((item) => item.orderId?.S ?? '');
    },
  };
}
