import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { httpIdempotency } from '../../lib/idempotency/index.js';
import { baseMiddlewares } from '../shared/http-middlewares.js';
import { answerOrderErrors, json } from '../shared/http-response.js';
import { idempotencyStore } from '../shared/idempotency-store.js';
import { orders } from '../shared/orders.js';
import { parseOrderBody } from './order.js';
import { createOrder } from './order-service.js';

const lambdaHandler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const order = await createOrder(parseOrderBody(event.body, event.isBase64Encoded), { orders });
  return json(201, order, { Location: `/orders/${order.orderId}` });
};

/** `POST /orders`: places an order; the `Idempotency-Key` header is required. */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(baseMiddlewares())
  .use(httpIdempotency<APIGatewayProxyEvent, APIGatewayProxyResult>({ store: idempotencyStore, namespace: 'create-order' }))
  .handler(answerOrderErrors(lambdaHandler));
