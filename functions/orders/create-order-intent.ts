import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { baseMiddlewares } from '../shared/http-middlewares.js';
import { json } from '../shared/http-response.js';
import { orderLocation } from '../shared/location.js';
import { orders } from '../shared/orders.js';
import { createOrderIntent } from './order-service.js';

const lambdaHandler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const intent = await createOrderIntent({ orders });
  return json(201, intent, { Location: orderLocation(event, intent.orderId) });
};

/**
 * `POST /order-intents`: issues an order id to place with `PUT /orders/{orderId}`. Needs no idempotency: a retry
 * only issues an id nobody uses.
 */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>().use(baseMiddlewares()).handler(lambdaHandler);
