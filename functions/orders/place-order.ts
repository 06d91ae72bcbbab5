import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { completeWithTransaction, IdempotencyTransactionCanceledError } from '../../lib/idempotency/index.js';
import { idempotentOrderHandler } from '../shared/idempotent-order-handler.js';
import { json } from '../shared/http-response.js';
import { orderLocation } from '../shared/location.js';
import { orders } from '../shared/orders.js';
import type { Order } from './order.js';
import { parseOrderBody } from './order.js';
import { orderIdFromPath } from './order-path-key.js';
import { planPlacement, resolveRefusedPlacement } from './order-service.js';

const lambdaHandler = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
  const orderId = event.pathParameters?.orderId ?? '';
  const input = parseOrderBody(event.body, event.isBase64Encoded);
  const { order, writes } = planPlacement(orderId, input, { orders });
  const placed = (body: Order) => json(201, body, { Location: orderLocation(event, orderId) });
  try {
    await completeWithTransaction(context, { writes, result: placed(order) });
    return placed(order);
  } catch (error) {
    // Only the order's own condition (status PENDING) can refuse the placement; its reason carries the order as it was.
    const refusal = error instanceof IdempotencyTransactionCanceledError ? error.reasons.find((reason) => reason.index === 0) : undefined;
    if (refusal === undefined) throw error;
    const current = refusal.item === undefined ? undefined : (unmarshall(refusal.item) as Order);
    return placed(resolveRefusedPlacement(orderId, input, current));
  }
};

/**
 * `PUT /orders/{orderId}`: places an order intent, committing the placement and the idempotency record in one
 * transaction. The path's order id is the idempotency key, so the identical PUT replays the 201 and another body
 * gets 422 from the fingerprint.
 */
export const handler = idempotentOrderHandler({ namespace: 'place-order', key: orderIdFromPath }, lambdaHandler);
