import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { hashFingerprint } from '../../../lib/idempotency/fingerprint.js';
import { fingerprintRequest } from '../../../lib/idempotency/http/request-fingerprint.js';

const restEvent = (body: string | null, extra: object = {}) => ({ httpMethod: 'POST', resource: '/orders', body, ...extra });
const hashOf = (event: unknown) => hashFingerprint(fingerprintRequest(event));

// Rebuilds an object with its keys in reverse order at every depth.
const reverseKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .reverse()
      .map((key) => [key, reverseKeys((value as Record<string, unknown>)[key])]),
  );
};

describe('fingerprintRequest', () => {
  it('treats JSON bodies that differ only in key order or whitespace as the same payload', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const compact = JSON.stringify(value);
        const reordered = JSON.stringify(reverseKeys(value), null, 2);
        expect(hashOf(restEvent(reordered))).toBe(hashOf(restEvent(compact)));
      }),
    );
  });

  it('tells JSON bodies apart when a key differs only in case', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.jsonValue(), (key, value) => {
        fc.pre(key.toUpperCase() !== key);
        const lower = JSON.stringify({ [key]: value });
        const upper = JSON.stringify({ [key.toUpperCase()]: value });
        expect(hashOf(restEvent(upper))).not.toBe(hashOf(restEvent(lower)));
      }),
    );
  });

  it('includes the method and the resource', () => {
    expect(hashOf(restEvent('{}', { httpMethod: 'PUT' }))).not.toBe(hashOf(restEvent('{}')));
    expect(hashOf(restEvent('{}', { resource: '/other' }))).not.toBe(hashOf(restEvent('{}')));
  });

  it('decodes base64 bodies before comparing', () => {
    const encoded = Buffer.from('{"a":1,"b":2}').toString('base64');
    expect(hashOf(restEvent(encoded, { isBase64Encoded: true }))).toBe(hashOf(restEvent('{"b":2, "a":1}')));
  });

  it('compares non-JSON and invalid UTF-8 bodies byte for byte', () => {
    expect(fingerprintRequest(restEvent('a=1&b=2')).body).toEqual({ base64: Buffer.from('a=1&b=2').toString('base64') });
    const invalid = Buffer.from([0x22, 0xff, 0x22]).toString('base64');
    expect(fingerprintRequest(restEvent(invalid, { isBase64Encoded: true })).body).toEqual({ base64: invalid });
  });

  it('uses a body that a parser already turned into an object, and no body as null', () => {
    expect(hashOf(restEvent(null, { body: { b: 1, a: 2 } }))).toBe(hashOf(restEvent('{"a":2,"b":1}')));
    expect(fingerprintRequest(restEvent(null)).body).toBeNull();
  });

  it('reads HTTP API, Function URL and ALB events', () => {
    expect(fingerprintRequest({ routeKey: 'POST /orders', rawPath: '/orders', requestContext: { http: { method: 'post' } } })).toMatchObject({
      method: 'POST',
      resource: '/orders',
    });
    expect(fingerprintRequest({ routeKey: '$default', rawPath: '/x', requestContext: { http: { method: 'GET' } } })).toMatchObject({ resource: '/x' });
    expect(fingerprintRequest({ httpMethod: 'GET', path: '/alb' })).toMatchObject({ method: 'GET', resource: '/alb' });
    expect(fingerprintRequest(null)).toEqual({ method: '', resource: '', path: '', query: [], body: null });
  });

  it('tells apart requests to other paths behind one route template', () => {
    const transfer = (path: string) => restEvent('{}', { resource: '/accounts/{id}/transfers', path });
    expect(hashOf(transfer('/accounts/A/transfers'))).not.toBe(hashOf(transfer('/accounts/B/transfers')));
    const proxied = (path: string) => restEvent('{}', { resource: '/{proxy+}', path });
    expect(hashOf(proxied('/refunds'))).not.toBe(hashOf(proxied('/orders')));
    const v2 = (rawPath: string) => ({ routeKey: '$default', rawPath, rawQueryString: '', requestContext: { http: { method: 'POST' } }, body: '{}' });
    expect(hashOf(v2('/refunds'))).not.toBe(hashOf(v2('/orders')));
  });

  it('compares query parameters in any order, repeated ones included, on every event shape', () => {
    const rest = (multiValueQueryStringParameters: Record<string, string[]>) => restEvent('{}', { multiValueQueryStringParameters });
    expect(hashOf(rest({ a: ['1'], b: ['2'] }))).toBe(hashOf(rest({ b: ['2'], a: ['1'] })));
    expect(hashOf(rest({ a: ['1', '2'] }))).toBe(hashOf(rest({ a: ['2', '1'] })));
    expect(hashOf(rest({ amount: ['100'] }))).not.toBe(hashOf(rest({ amount: ['999'] })));
    expect(hashOf(rest({ a: ['1', '2'] }))).not.toBe(hashOf(rest({ a: ['1'] })));
    const v2 = (rawQueryString: string) => ({ rawPath: '/x', rawQueryString, requestContext: { http: { method: 'POST' } }, body: '{}' });
    expect(hashOf(v2('a=1&b=2&a=3'))).toBe(hashOf(v2('b=2&a=3&a=1')));
    expect(hashOf(v2('a=1&a=2'))).not.toBe(hashOf(v2('a=1,2')));
    const single = (queryStringParameters: Record<string, string>) => restEvent('{}', { queryStringParameters });
    expect(hashOf(single({ amount: '100' }))).not.toBe(hashOf(single({ amount: '999' })));
    expect(hashOf(single({}))).toBe(hashOf(restEvent('{}')));
  });

  it.each([
    ['integers above 2^53', '{"amount":12345678901234567891}', '{"amount":12345678901234567890}'],
    ['-0 and 0', '{"amount":-0}', '{"amount":0}'],
    ['decimals with more digits than a double holds', '[0.1000000000000000055511151231257827]', '[0.1]'],
    ['numbers beyond the range of a double', '[1e400]', '[1e401]'],
  ])('tells apart JSON bodies with %s', (_name, a, b) => {
    expect(hashOf(restEvent(a))).not.toBe(hashOf(restEvent(b)));
  });

  it('still treats the same numbers written alike, and digits inside strings, as one payload', () => {
    expect(hashOf(restEvent('{"a":1.50,"b":"12345678901234567891"}'))).toBe(hashOf(restEvent('{ "b":"12345678901234567891", "a":1.5 }')));
    expect(hashOf(restEvent('{"a":12345678901234567891}'))).toBe(hashOf(restEvent('{"a":12345678901234567891}')));
  });
});
