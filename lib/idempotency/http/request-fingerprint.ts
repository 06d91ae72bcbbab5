import { readBody, readMethod, readPath, readQuery, readResource } from './http-event.js';
import { hasRoundedNumber } from './json-number-precision.js';

/** What two requests with one key must share: method, route, path, query and the body in canonical form. */
export interface RequestFingerprint {
  readonly method: string;
  /** The matched route template, e.g. `/accounts/{id}/transfers` or `/{proxy+}`. */
  readonly resource: string;
  /** The request's own path, e.g. `/accounts/A/transfers`. */
  readonly path: string;
  /** The query parameters as sorted `[name, value]` pairs, repeated names included. */
  readonly query: ReadonlyArray<readonly [string, string]>;
  /** The parsed JSON body (keys are sorted when hashed), or the raw body as base64 when it is not JSON. */
  readonly body: { readonly json: unknown } | { readonly base64: string } | null;
}

/**
 * The default fingerprint of {@link httpIdempotency}: method + route + the request's own path + its query parameters
 * (in any order, repeated ones included) + body, so that the same key on `/accounts/A/transfers` and
 * `/accounts/B/transfers`, or with `?amount=100` and `?amount=999`, is another payload (422).
 *
 * A JSON body is parsed, so whitespace and key order do not make it another payload (the hash sorts keys); any other
 * body is compared byte for byte, and so is a JSON body with a number `JSON.parse` would round (above 2^53, more
 * digits than a double holds, beyond its range). Base64 bodies are decoded first, so a binary-encoded JSON body
 * counts as JSON. A body already parsed by `@middy/http-json-body-parser` is used as it is: numbers it rounded are
 * lost by then, so place this middleware before the parser.
 * @example
 * ```ts
 * import { fingerprintRequest } from 'lambda-idempotency';
 * fingerprintRequest({ httpMethod: 'POST', resource: '/orders', body: '{"b":1, "a":2}' });
 * ```
 */
export function fingerprintRequest(event: unknown): RequestFingerprint {
  return { method: readMethod(event), resource: readResource(event), path: readPath(event), query: readQuery(event), body: canonicalBody(readBody(event)) };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function canonicalBody(body: unknown): RequestFingerprint['body'] {
  if (body === undefined || body === null || body === '') return null;
  const bytes = body instanceof Uint8Array ? Buffer.from(body) : typeof body === 'string' ? Buffer.from(body, 'utf8') : undefined;
  if (bytes === undefined) return { json: body };
  try {
    // A fatal decoder: invalid UTF-8 must stay bytes, or two different bodies could decode to the same text.
    const text = strictUtf8.decode(bytes);
    const json: unknown = JSON.parse(text);
    // A number JSON.parse rounds would make two bodies one payload: such bodies are compared as bytes (stricter).
    if (!hasRoundedNumber(text)) return { json };
  } catch {
    // Not JSON: compared byte for byte below.
  }
  return { base64: bytes.toString('base64') };
}
