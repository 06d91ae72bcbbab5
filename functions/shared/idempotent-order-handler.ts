import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { createOutcomeMetrics, httpIdempotency, type HttpIdempotencyOptions } from '../../lib/idempotency/index.js';
import { baseMiddlewares } from './http-middlewares.js';
import { answerOrderErrors } from './http-response.js';
import { idempotencyStore } from './idempotency-store.js';

type OrderHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** What differs between the idempotent order routes. */
export interface IdempotentOrderRoute {
  /** The idempotency namespace of the operation, also the metrics' `Namespace` dimension. */
  readonly namespace: string;
  /** Picks the key. @default the `Idempotency-Key` header */
  readonly key?: HttpIdempotencyOptions<APIGatewayProxyEvent, APIGatewayProxyResult>['key'];
}

/**
 * The handler of an idempotent order route: the base middlewares, `httpIdempotency` over the shared store, the order
 * errors answered, and one EMF metrics line per invocation for the `IdempotencyMonitoring` alarms and dashboard.
 */
export function idempotentOrderHandler(route: IdempotentOrderRoute, lambdaHandler: OrderHandler): OrderHandler {
  const metrics = createOutcomeMetrics({ namespace: route.namespace });
  return metrics.wrapHandler(
    middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
      .use(baseMiddlewares())
      .use(httpIdempotency<APIGatewayProxyEvent, APIGatewayProxyResult>({ store: idempotencyStore, ...route, onOutcome: metrics.onOutcome }))
      .handler(answerOrderErrors(lambdaHandler)),
  );
}
