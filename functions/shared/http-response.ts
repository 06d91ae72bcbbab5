import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { problemResponse } from '../../lib/idempotency/index.js';
import { OrderNotFoundError, OrderStateError, OrderValidationError } from '../orders/order-errors.js';

/** A JSON response with `status`, `body` and any extra headers. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode: status, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

// The orders API's own errors, next to the library's table in lib/idempotency/http/problem.ts.
const orderProblems = [
  { type: OrderValidationError, status: 400, problemType: 'urn:orders-api:invalid-order', title: 'Invalid order' },
  { type: OrderNotFoundError, status: 404, problemType: 'urn:orders-api:order-not-found', title: 'Order not found' },
  { type: OrderStateError, status: 409, problemType: 'urn:orders-api:order-state', title: 'Order state does not allow this' },
] as const;

/**
 * Runs a handler and answers the orders API's own errors as problem+json responses rather than thrown errors, so
 * that httpIdempotency stores a 404 or 409 like any other answer. Other errors pass through to http-error-handler.
 */
export function answerOrderErrors(
  handler: (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>,
): (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult> {
  return async (event, context) => {
    try {
      return await handler(event, context);
    } catch (error) {
      const row = orderProblems.find((candidate) => error instanceof candidate.type);
      if (row === undefined) throw error;
      return problemResponse({ type: row.problemType, title: row.title, status: row.status, detail: (error as Error).message }) as APIGatewayProxyResult;
    }
  };
}
