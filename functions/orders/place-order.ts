import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { httpIdempotency } from '../../lib/idempotency/index.js';
import { baseMiddlewares } from '../shared/http-middlewares.js';
import { answerOrderErrors, json } from '../shared/http-response.js';
import { idempotencyStore } from '../shared/idempotency-store.js';
import { orders } from '../shared/orders.js';
import { parseOrderBody } from './order.js';
import { orderIdFromPath } from './order-path-key.js';
import { placeOrder } from './order-service.js';

const lambdaHandler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const orderId = event.pathParameters?.orderId ?? '';
  const order = await placeOrder(orderId, parseOrderBody(event.body, event.isBase64Encoded), { orders });
  return json(201, order, { Location: `/orders/${orderId}` });
};

/**
 * `PUT /orders/{orderId}`: places an order intent. The path's order id is the idempotency key, so the identical PUT
 * replays the 201 and another body gets 422 from the fingerprint.
 */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(baseMiddlewares())
  .use(httpIdempotency<APIGatewayProxyEvent, APIGatewayProxyResult>({ store: idempotencyStore, namespace: 'place-order', key: orderIdFromPath }))
  .handler(answerOrderErrors(lambdaHandler));
