import { IdempotencyKeyError } from '../errors.js';
import { readHeaderValues } from './http-event.js';

/** The header that carries the client's key, as the IETF Idempotency-Key draft names it. */
export const idempotencyKeyHeader = 'Idempotency-Key';

/**
 * Reads the idempotency key header (case-insensitively) and returns the key, or `undefined` when the header is absent.
 *
 * The draft defines the value as an RFC 8941 string (`"abc"`); a bare token (`abc`) is accepted too, because most
 * clients send one. The quoted form is unescaped, so `"abc"` and `abc` are the same key. Length and character rules
 * are checked by the core, like for every other key.
 * @throws {IdempotencyKeyError} (`invalid`) when the header is sent twice, in separate values (REST multi-value
 * headers, ALB) or joined with a comma (HTTP API, Function URLs: a bare key cannot hold a comma, a quoted one can),
 * or is a malformed quoted string.
 * @example
 * ```ts
 * import { readIdempotencyKey } from 'lambda-idempotency';
 * readIdempotencyKey({ headers: { 'idempotency-key': '"order-42"' } }); // 'order-42'
 * ```
 */
export function readIdempotencyKey(event: unknown, headerName: string = idempotencyKeyHeader): string | undefined {
  const values = readHeaderValues(event, headerName);
  if (values.length === 0) return undefined;
  if (values.length > 1) throw new IdempotencyKeyError('invalid', `The ${headerName} header must be sent once, got ${values.length} values`);
  const value = values[0].replace(/^[ \t]+|[ \t]+$/g, '');
  if (value.startsWith('"')) return parseQuotedString(value, headerName);
  // HTTP API, Function URLs and proxies join a repeated header with commas (RFC 9110 §5.3): `a,b` is two keys.
  if (value.includes(',')) throw new IdempotencyKeyError('invalid', `The ${headerName} header must be sent once; a bare key cannot contain a comma (quote it)`);
  return value;
}

// RFC 8941 §4.2.5: printable ASCII between the quotes, with only `\"` and `\\` as escapes.
function parseQuotedString(value: string, headerName: string): string {
  let key = '';
  for (let index = 1; index < value.length; index++) {
    const char = value[index];
    if (char === '\\') {
      const next = value[++index];
      if (next !== '"' && next !== '\\') break;
      key += next;
    } else if (char === '"') {
      if (index === value.length - 1) return key;
      break;
    } else if (char < ' ' || char > '~') {
      break;
    } else {
      key += char;
    }
  }
  throw new IdempotencyKeyError('invalid', `The ${headerName} header is not a valid quoted string`);
}
