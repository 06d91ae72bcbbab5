import { ordersApiCors } from './cors.js';

/**
 * The answers API Gateway gives on its own, without a function: the stack configures them as gateway responses, and
 * the local server renders the same ones, so that both answer alike.
 */

/** The 400 problem for an order body the request model rejects. */
export const invalidOrderProblem = {
  type: 'urn:orders-api:invalid-order',
  title: 'Invalid order',
  status: 400,
  detail:
    'The body must be a JSON object with productId (a string of 1 to 64 characters) and quantity (an integer from 1 to 1000), and may have customerId (a string of 1 to 64 characters).',
} as const;

/**
 * Every other answer of API Gateway's own. Gateway response templates get plain variable substitution only, no VTL:
 * `$context.error.messageString` arrives already quoted and `$context.error.responseType` is [A-Z_] only, so the result
 * is always JSON; `validationErrorString` holds quotes and can never sit safely inside a JSON string.
 */
export const gatewayProblemTemplate =
  '{"type":"urn:orders-api:gateway:$context.error.responseType","title":$context.error.messageString,"requestId":"$context.requestId"}';

/** The headers of every gateway answer: problem+json, and the CORS headers a browser needs to read it. */
export const gatewayProblemHeaders = {
  'Content-Type': 'application/problem+json',
  'Access-Control-Allow-Origin': ordersApiCors.allowOrigin,
  'Access-Control-Expose-Headers': ordersApiCors.exposeHeaders.join(','),
} as const;

/** What API Gateway substitutes into {@link gatewayProblemTemplate}. */
export interface GatewayError {
  /** API Gateway's response type, e.g. `MISSING_AUTHENTICATION_TOKEN`. */
  readonly responseType: string;
  /** Its message, e.g. `Missing Authentication Token`. */
  readonly message: string;
  readonly requestId: string;
}

/** The body API Gateway sends for `error`: the template with its variables substituted the way API Gateway does. */
export function renderGatewayProblem(error: GatewayError): string {
  return gatewayProblemTemplate
    .replaceAll('$context.error.responseType', error.responseType)
    .replaceAll('$context.error.messageString', JSON.stringify(error.message))
    .replaceAll('$context.requestId', error.requestId);
}
