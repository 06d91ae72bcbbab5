import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { completeWithTransaction } from '../../lib/idempotency/index.js';
import { idempotentOrderHandler } from '../shared/idempotent-order-handler.js';
import { json } from '../shared/http-response.js';
import { orderLocation } from '../shared/location.js';
import { orders } from '../shared/orders.js';
import { paymentProviderUrl } from '../shared/payments.js';
import { chargeNewOrder } from './order-payment.js';
import { parseOrderBody } from './order.js';
import { planNewOrder } from './order-service.js';

const lambdaHandler = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
  const input = parseOrderBody(event.body, event.isBase64Encoded);
  // The charge is a checkpointed step: a retry of this request never charges twice, even after a crash mid-way.
  const payment = paymentProviderUrl === undefined ? undefined : await chargeNewOrder(context, paymentProviderUrl, input);
  const { order, writes } = planNewOrder(input, { orders }, payment);
  const response = json(201, order, { Location: orderLocation(event, order.orderId) });
  // The order and the idempotency record's completion commit together: a crash can never leave one without the other.
  await completeWithTransaction(context, { writes, result: response });
  return response;
};

/**
 * `POST /orders`: places an order; the `Idempotency-Key` header is required. Two DynamoDB round trips: claim and
 * transaction; with a payment provider, the charge's step adds one write and the provider call.
 */
export const handler = idempotentOrderHandler({ namespace: 'create-order' }, lambdaHandler);
