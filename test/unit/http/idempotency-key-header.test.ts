import { describe, expect, it } from '@jest/globals';
import { IdempotencyKeyError } from '../../../lib/idempotency/errors.js';
import { readIdempotencyKey } from '../../../lib/idempotency/http/idempotency-key-header.js';

describe('readIdempotencyKey', () => {
  it('reads a bare token whatever the header case', () => {
    expect(readIdempotencyKey({ headers: { 'IDEMPOTENCY-key': 'abc-1' } })).toBe('abc-1');
  });

  it('unquotes the RFC 8941 string form, escapes included', () => {
    expect(readIdempotencyKey({ headers: { 'Idempotency-Key': '"abc"' } })).toBe('abc');
    expect(readIdempotencyKey({ headers: { 'Idempotency-Key': '"a\\"b\\\\c"' } })).toBe('a"b\\c');
  });

  it('returns undefined when the header is absent', () => {
    expect(readIdempotencyKey({ headers: { other: 'x' } })).toBeUndefined();
    expect(readIdempotencyKey({ headers: null })).toBeUndefined();
    expect(readIdempotencyKey(undefined)).toBeUndefined();
  });

  it('reads multiValueHeaders and refuses a header sent twice', () => {
    expect(readIdempotencyKey({ multiValueHeaders: { 'idempotency-key': ['k'] } })).toBe('k');
    expect(() => readIdempotencyKey({ multiValueHeaders: { 'idempotency-key': ['k', 'l'] } })).toThrow(IdempotencyKeyError);
  });

  it.each(['"abc', '"abc"x', '"a\\xb"', '"a\u00e9"', '"a\tb"', '"abc\\'])('refuses the malformed quoted string %j', (value) => {
    expect(() => readIdempotencyKey({ headers: { 'idempotency-key': value } })).toThrow(expect.objectContaining({ problem: 'invalid' }));
  });

  it('refuses a bare key holding a comma, which is how HTTP API and Function URLs join a repeated header', () => {
    expect(() => readIdempotencyKey({ headers: { 'idempotency-key': 'a,b' } })).toThrow(expect.objectContaining({ problem: 'invalid' }));
    expect(() => readIdempotencyKey({ multiValueHeaders: { 'idempotency-key': ['a, b'] } })).toThrow(IdempotencyKeyError);
    expect(readIdempotencyKey({ headers: { 'idempotency-key': '"a,b"' } })).toBe('a,b');
  });

  it('reads a configured header name', () => {
    expect(readIdempotencyKey({ headers: { 'x-request-key': ' k ' } }, 'X-Request-Key')).toBe('k');
  });
});
