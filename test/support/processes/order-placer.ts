import { randomUUID } from 'node:crypto';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { completeWithTransaction, idempotency, step, type DynamoDBStore } from '../../../lib/idempotency/index.js';
import { chargePayment } from '../../../functions/shared/payments.js';

/**
 * What the crash tests' order placer reports at each step: `charged` once the provider answered (inside the step,
 * before its result is stored) and `checkpointed` once the step returned; both only with a payment provider.
 */
export type PlacerStep = 'claimed' | 'charged' | 'checkpointed' | 'committed';

/**
 * A handler that places one order (a fresh random id, tagged with the key) per idempotency key, committing the order
 * and the completion in one transaction; with `paymentsUrl`, it first charges the order there through a `step`. `atStep` lets a child process announce where it is and wait there until its
 * parent lets it go on, so it can be killed at that very point whatever the machine's speed.
 */
export function createOrderPlacer(
  store: DynamoDBStore,
  ordersTable: string,
  atStep: (step: PlacerStep) => Promise<void> | void = () => undefined,
  paymentsUrl?: string,
) {
  return middy(
    async (event: { key: string }, context: Context) => {
      await atStep('claimed');
      const orderId = randomUUID();
      let chargeId: string | undefined;
      if (paymentsUrl !== undefined) {
        // The provider counts charges per order; the order is named by the key, the same on every attempt.
        const charge = await step(context, 'charge', async ({ idempotencyKey }) => {
          const made = await chargePayment(paymentsUrl, idempotencyKey, { order: event.key, amountCents: 1250 });
          await atStep('charged');
          return made;
        });
        await atStep('checkpointed');
        chargeId = charge.chargeId;
      }
      const result = { orderId, status: 'PLACED', ...(chargeId === undefined ? {} : { chargeId }) };
      const put = { Put: { TableName: ordersTable, Item: { orderId: { S: orderId }, idempotencyKey: { S: event.key } } } };
      await completeWithTransaction(context, { writes: [put], result });
      await atStep('committed');
      return result;
    },
    // The crash tests kill the process; Middy's own early timeout would only blur which point was reached.
    { timeoutEarlyInMillis: 0 },
  ).use(idempotency({ store, key: (event: { key: string }) => event.key }));
}
