import type { HttpResponse } from './http-response.js';

/** The header added to every replayed response. */
export const replayedHeader = 'Idempotent-Replayed';

// Hop-by-hop headers (RFC 9110 §7.6.1) and headers that describe one attempt, not the stored outcome.
const perAttemptHeaders = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'date',
  'set-cookie',
  'age',
  'server-timing',
  'x-request-id',
  'x-amzn-requestid',
  'x-amzn-trace-id',
]);

const keepReplayable = <T>(headers: Record<string, T>) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !perAttemptHeaders.has(name.toLowerCase())));

/**
 * The response as it may be stored and replayed: hop-by-hop and per-attempt headers (`Date`, `Connection`,
 * `Set-Cookie`, request ids, …) and HTTP API `cookies` removed, so they never reach the table. A bare HTTP API result
 * becomes the 200 JSON response AWS would have sent, so that a replay can carry headers.
 */
export function toReplayableResponse(result: unknown): HttpResponse {
  if (typeof result !== 'object' || result === null || typeof (result as HttpResponse).statusCode !== 'number') {
    return { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: typeof result === 'string' ? result : JSON.stringify(result ?? null) };
  }
  const { cookies: _cookies, headers, multiValueHeaders, ...rest } = result as HttpResponse;
  const response: HttpResponse = { ...rest };
  if (headers !== undefined) response.headers = keepReplayable(headers);
  if (multiValueHeaders !== undefined) response.multiValueHeaders = keepReplayable(multiValueHeaders);
  return response;
}

/** A stored response marked with `Idempotent-Replayed: true`, in `multiValueHeaders` too when it has them. */
export function markReplayedResponse(stored: HttpResponse): HttpResponse {
  const response: HttpResponse = { ...stored, headers: { ...stored.headers, [replayedHeader]: 'true' } };
  if (stored.multiValueHeaders !== undefined) response.multiValueHeaders = { ...stored.multiValueHeaders, [replayedHeader]: ['true'] };
  return response;
}
