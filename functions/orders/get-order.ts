import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { baseMiddlewares } from '../shared/http-middlewares.js';
import { answerOrderErrors, json } from '../shared/http-response.js';
import { orders } from '../shared/orders.js';
import { findOrder } from './order-service.js';

const lambdaHandler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> =>
  json(200, await findOrder(event.pathParameters?.orderId ?? '', { orders }));

/** `GET /orders/{orderId}`: the order, or 404. */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>().use(baseMiddlewares()).handler(answerOrderErrors(lambdaHandler));
