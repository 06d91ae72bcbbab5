/**
 * A structured HTTP answer as API Gateway (REST and HTTP API), Function URLs and ALB accept it. An HTTP API handler
 * may also return a bare value, which AWS sends as a 200 JSON body.
 */
export interface HttpResponse {
  statusCode?: number;
  headers?: Record<string, string | number | boolean>;
  multiValueHeaders?: Record<string, Array<string | number | boolean>>;
  body?: string;
  isBase64Encoded?: boolean;
  /** HTTP API v2 `Set-Cookie` values. */
  cookies?: string[];
}

/** The status of a handler result: its `statusCode`, or 200 for a bare HTTP API result. */
export function statusOf(result: unknown): number {
  const statusCode = typeof result === 'object' && result !== null ? (result as HttpResponse).statusCode : undefined;
  return typeof statusCode === 'number' ? statusCode : 200;
}

// Rejections of one attempt, which the client fixes and then retries with the same key (IETF draft, Stripe).
const retryableClientStatuses = new Set([400, 401, 403, 408, 422, 429]);

/**
 * The default `shouldStore` of {@link httpIdempotency}: stores 2xx, 3xx and 4xx answers except 400, 401, 403, 408,
 * 422 and 429; releases the key after 5xx answers so that a retry runs again.
 * @example
 * ```ts
 * import { shouldStoreHttpResponse } from 'lambda-idempotency';
 * shouldStoreHttpResponse({ statusCode: 404 }); // true
 * shouldStoreHttpResponse({ statusCode: 429 }); // false
 * ```
 */
export function shouldStoreHttpResponse(result: unknown): boolean {
  const status = statusOf(result);
  return status < 500 && !retryableClientStatuses.has(status);
}
