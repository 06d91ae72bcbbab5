import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { idempotentOrderHandler } from '../shared/idempotent-order-handler.js';
import { json } from '../shared/http-response.js';
import { orders } from '../shared/orders.js';
import { orderIdFromPath } from './order-path-key.js';
import { cancelOrder } from './order-service.js';

const lambdaHandler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const { orderId, cancelledAt } = await cancelOrder(event.pathParameters?.orderId ?? '', { orders });
  return json(200, { orderId, status: 'CANCELLED', cancelledAt });
};

/** `DELETE /orders/{orderId}`: cancels the order; a repeated DELETE replays the same 200, keyed by the path's id. */
export const handler = idempotentOrderHandler({ namespace: 'cancel-order', key: orderIdFromPath }, lambdaHandler);
