import { describe, expect, it } from '@jest/globals';
import { orderLocation } from '../../../functions/shared/location.js';
import { restEvent } from '../../support/api-gateway-events.js';

// requestContext.path is the path as the client sent it; event.path the resource path API Gateway matched.
const eventAt = (requestedPath: string, path = '/orders') => restEvent({ path, requestContext: { path: requestedPath } as never });

describe('orderLocation', () => {
  it.each([
    ['the execute-api URL, whose first segment is the stage', '/prod/orders', '/prod/orders/o-1'],
    ['a custom domain with a base path mapping', '/shop/v1/orders', '/shop/v1/orders/o-1'],
    ['a custom domain without a base path, and npm start', '/orders', '/orders/o-1'],
  ])('points at the order on %s', (_where, requestedPath, location) => {
    expect(orderLocation(eventAt(requestedPath), 'o-1')).toBe(location);
  });

  it('keeps the prefix for a PUT on the order itself', () => {
    expect(orderLocation(eventAt('/prod/orders/o-2', '/orders/o-2'), 'o-2')).toBe('/prod/orders/o-2');
  });

  it('encodes an id that is not a plain path segment', () => {
    expect(orderLocation(eventAt('/prod/orders'), 'a/b c')).toBe('/prod/orders/a%2Fb%20c');
  });
});
