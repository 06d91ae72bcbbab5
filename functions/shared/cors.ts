/**
 * The orders API's CORS policy: the stack's preflights and gateway responses, the functions' own responses and the
 * local server all read it, so a browser can call the API and read every header a client needs.
 */
export const ordersApiCors = {
  allowOrigin: '*',
  allowMethods: ['GET', 'POST', 'PUT', 'DELETE'],
  /** Request headers a browser may send: the AWS defaults CDK allows, and the idempotency key. */
  allowHeaders: ['Content-Type', 'X-Amz-Date', 'Authorization', 'X-Api-Key', 'X-Amz-Security-Token', 'X-Amz-User-Agent', 'Idempotency-Key'],
  /** Response headers a browser script may read: where the order is, when to retry, whether it was a replay. */
  exposeHeaders: ['Location', 'Retry-After', 'Idempotent-Replayed'],
} as const;

/** The headers of a preflight (`OPTIONS`) answer, as the stack's mock integration sends them with status 204. */
export const preflightHeaders = {
  'Access-Control-Allow-Headers': ordersApiCors.allowHeaders.join(','),
  'Access-Control-Allow-Origin': ordersApiCors.allowOrigin,
  'Access-Control-Allow-Methods': ordersApiCors.allowMethods.join(','),
} as const;
