import { describe, expect, it } from '@jest/globals';
import { orderRoutes } from '../../../functions/routes.js';
import { toApiGatewayEvent } from '../../../lib/local/api-gateway-event.js';
import { javaMajorVersion } from '../../../lib/local/java-check.js';
import { parseRequestTarget } from '../../../lib/local/request-target.js';
import { matchRoute } from '../../../lib/local/route-matcher.js';

const route = { resource: '/orders/{orderId}', pathParameters: { orderId: 'o-1' }, requestId: 'r-1', stage: 'local' };
const request = (rawHeaders: string[], body = '', url = '/orders/o-1') => ({ method: 'PUT', url, rawHeaders, body: Buffer.from(body), sourceIp: '127.0.0.1' });

describe('toApiGatewayEvent', () => {
  it('fills headers with the last value and multiValueHeaders with every value, in the client case', () => {
    const event = toApiGatewayEvent(request(['Accept', 'a', 'accept', 'b', 'X-One', '1']), route);
    expect(event.headers).toEqual({ Accept: 'a', accept: 'b', 'X-One': '1' });
    expect(event.multiValueHeaders).toEqual({ Accept: ['a'], accept: ['b'], 'X-One': ['1'] });
  });

  it('passes every body as text, as API Gateway does without binary media types (the stack sets none)', () => {
    const json = toApiGatewayEvent(request(['Content-Type', 'application/json'], '{"a":1}'), route);
    const octets = toApiGatewayEvent(request(['Content-Type', 'application/octet-stream'], 'raw'), route);
    const empty = toApiGatewayEvent(request([]), route);
    expect([json.body, json.isBase64Encoded]).toEqual(['{"a":1}', false]);
    expect([octets.body, octets.isBase64Encoded]).toEqual(['raw', false]);
    expect([empty.body, empty.isBase64Encoded]).toEqual([null, false]);
  });

  it('fills query strings, path parameters and the request id; an x-api-key header is no identity, as the stack has no API keys', () => {
    const event = toApiGatewayEvent(request(['x-api-key', 'alice'], '', '/orders/o-1?a=1&a=2'), route);
    expect(event.queryStringParameters).toEqual({ a: '2' });
    expect(event.multiValueQueryStringParameters).toEqual({ a: ['1', '2'] });
    expect(event.pathParameters).toEqual({ orderId: 'o-1' });
    expect(event.requestContext).toMatchObject({
      requestId: 'r-1',
      resourcePath: '/orders/{orderId}',
      identity: { apiKey: null, apiKeyId: null, sourceIp: '127.0.0.1' },
    });
    expect(toApiGatewayEvent(request([]), route).queryStringParameters).toBeNull();
  });
});

describe('matchRoute', () => {
  const match = (method: string, target: string) => matchRoute(orderRoutes, method, parseRequestTarget(target).segments);

  it('matches resources with placeholders and decodes the parameter', () => {
    expect(match('GET', '/orders/a%20b')).toMatchObject({ kind: 'matched', route: { name: 'GetOrder' }, pathParameters: { orderId: 'a b' } });
    expect(match('POST', '/orders')).toMatchObject({ kind: 'matched', route: { name: 'CreateOrder' }, pathParameters: null });
  });

  it('tells an unknown path from a method the path does not have', () => {
    expect(match('GET', '/orders/a/b')).toEqual({ kind: 'no-route' });
    expect(match('GET', '/orders/%E0%A4%A')).toEqual({ kind: 'no-route' });
    expect(match('PATCH', '/orders/1')).toEqual({ kind: 'method-not-allowed' });
  });

  it('routes leading slashes and one trailing slash as API Gateway does, and never resolves a dot or empty segment', () => {
    expect(match('GET', '//orders/abc')).toMatchObject({ kind: 'matched', pathParameters: { orderId: 'abc' } });
    expect(match('GET', '/orders/abc/')).toMatchObject({ kind: 'matched', pathParameters: { orderId: 'abc' } });
    for (const target of [
      '/orders/a/../b',
      '/orders/..',
      '/orders/.',
      '/orders/%2e%2E',
      '/orders/.%2e',
      '/orders//abc',
      '/orders/abc//',
      '//',
      '/',
      '*',
      'http://localhost/orders/abc',
      '/orders\\abc',
    ]) {
      expect({ target, match: match('GET', target) }).toEqual({ target, match: { kind: 'no-route' } });
    }
  });
});

describe('parseRequestTarget', () => {
  it('keeps the query string undecoded and the path as received but for its leading slashes', () => {
    expect(parseRequestTarget('//orders/a%2Fb?x=1&y')).toEqual({ path: '/orders/a%2Fb', segments: ['orders', 'a%2Fb'], query: 'x=1&y' });
    expect(parseRequestTarget('/orders/a/../b')).toEqual({ path: '/orders/a/../b', segments: undefined, query: undefined });
  });

  it('gives the event the routed path and no query for an empty one', () => {
    const event = toApiGatewayEvent(request([], '', '//orders/o-1?'), route);
    expect([event.path, event.requestContext.path, event.queryStringParameters]).toEqual(['/orders/o-1', '/orders/o-1', null]);
  });
});

describe('javaMajorVersion', () => {
  it.each([
    ['openjdk version "17.0.15" 2025-04-15', 17],
    ['java version "1.8.0_392"', 8],
    ['openjdk version "21" 2023-09-19', 21],
    ['no version here', undefined],
  ])('reads %j as %p', (output, major) => {
    expect(javaMajorVersion(output)).toBe(major);
  });
});
