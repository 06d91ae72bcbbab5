import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { httpIdempotency } from '../../lib/idempotency/index.js';
import { baseMiddlewares } from '../shared/http-middlewares.js';
import { answerOrderErrors, json } from '../shared/http-response.js';
import { idempotencyStore } from '../shared/idempotency-store.js';
import { orders } from '../shared/orders.js';
import { orderIdFromPath } from './order-path-key.js';
import { cancelOrder } from './order-service.js';

const lambdaHandler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const { orderId, cancelledAt } = await cancelOrder(event.pathParameters?.orderId ?? '', { orders });
  return json(200, { orderId, status: 'CANCELLED', cancelledAt });
};

/** `DELETE /orders/{orderId}`: cancels the order; a repeated DELETE replays the same 200, keyed by the path's id. */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(baseMiddlewares())
  .use(httpIdempotency<APIGatewayProxyEvent, APIGatewayProxyResult>({ store: idempotencyStore, namespace: 'cancel-order', key: orderIdFromPath }))
  .handler(answerOrderErrors(lambdaHandler));
