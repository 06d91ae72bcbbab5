/**
 * The orders API's CORS policy: the stack's preflights and gateway responses and the functions' own responses all read
 * it, so a browser can call the API and read every header a client needs.
 */
export const ordersApiCors = {
  allowOrigin: '*',
  allowMethods: ['GET', 'POST', 'PUT', 'DELETE'],
  /** Beyond the CORS-safelisted ones: the body's type and the idempotency key. */
  allowHeaders: ['Content-Type', 'Idempotency-Key'],
  /** Response headers a browser script may read: where the order is, when to retry, whether it was a replay. */
  exposeHeaders: ['Location', 'Retry-After', 'Idempotent-Replayed'],
} as const;
