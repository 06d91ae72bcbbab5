import { randomUUID } from 'node:crypto';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { completeWithTransaction, idempotency, type DynamoDBStore } from '../../../lib/idempotency/index.js';

/** What the crash tests' order placer reports at each step. */
export type PlacerStep = 'claimed' | 'committed';

/**
 * A handler that places one order (a fresh random id, tagged with the key) per idempotency key, committing the order
 * and the completion in one transaction. `atStep` lets a child process announce where it is and wait there until its
 * parent lets it go on, so it can be killed at that very point whatever the machine's speed.
 */
export function createOrderPlacer(store: DynamoDBStore, ordersTable: string, atStep: (step: PlacerStep) => Promise<void> | void = () => undefined) {
  return middy(
    async (event: { key: string }, context: Context) => {
      await atStep('claimed');
      const orderId = randomUUID();
      const result = { orderId, status: 'PLACED' };
      const put = { Put: { TableName: ordersTable, Item: { orderId: { S: orderId }, idempotencyKey: { S: event.key } } } };
      await completeWithTransaction(context, { writes: [put], result });
      await atStep('committed');
      return result;
    },
    // The crash tests kill the process; Middy's own early timeout would only blur which point was reached.
    { timeoutEarlyInMillis: 0 },
  ).use(idempotency({ store, key: (event: { key: string }) => event.key }));
}
