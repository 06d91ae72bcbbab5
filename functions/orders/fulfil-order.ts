import type { Context, DynamoDBRecord } from 'aws-lambda';
import { completeWithTransaction, createOutcomeMetrics, createStreamBatchHandler, IdempotencyTransactionCanceledError } from '../../lib/idempotency/index.js';
import { functionEnvironment } from '../routes.js';
import { requireEnv } from '../shared/env.js';
import { idempotencyStore } from '../shared/idempotency-store.js';
import { placedOrderId } from './order-placement.js';
import { orderFulfilmentWriteIndex, planShipment } from './shipment-service.js';

const tables = { ordersTableName: requireEnv(functionEnvironment.ordersTableName), shipmentsTableName: requireEnv(functionEnvironment.shipmentsTableName) };

/** What fulfilling one stream record did. */
export type Fulfilment = { readonly orderId: string; readonly shipmentId: string } | { readonly orderId: string; readonly shipped: false };

const fulfilOrder = async (record: DynamoDBRecord, context: Context): Promise<Fulfilment | undefined> => {
  const orderId = placedOrderId(record);
  if (orderId === undefined) return undefined;
  const { shipment, writes } = planShipment(orderId, tables);
  const result = { orderId, shipmentId: shipment.shipmentId };
  try {
    // The shipment, the order's fulfilment and the idempotency record commit together: one shipment per order.
    await completeWithTransaction(context, { writes, result });
    return result;
  } catch (error) {
    // Cancelled since it was placed, or shipped under a record that has expired: nothing to ship, and nothing to retry.
    const refused = error instanceof IdempotencyTransactionCanceledError && error.reasons.some((reason) => reason.index === orderFulfilmentWriteIndex);
    if (refused) return { orderId, shipped: false };
    throw error;
  }
};

const metrics = createOutcomeMetrics({ namespace: 'fulfil-order' });

/**
 * The orders table's stream consumer: ships each placed order once, however often the stream delivers its record.
 * Keyed on the order id (a record that places nothing runs without a key), so a stream read twice, a retried or a
 * bisected batch replays instead of shipping again. One EMF metrics line per batch feeds the `IdempotencyMonitoring` alarms.
 */
export const handler = metrics.wrapHandler(
  createStreamBatchHandler(fulfilOrder, {
    store: idempotencyStore,
    key: placedOrderId,
    onMissingKey: 'skip',
    namespace: 'fulfil-order',
    onOutcome: metrics.onOutcome,
  }),
);
