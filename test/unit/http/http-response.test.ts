import { describe, expect, it } from '@jest/globals';
import { shouldStoreHttpResponse } from '../../../lib/idempotency/http/http-response.js';

describe('shouldStoreHttpResponse', () => {
  it.each([200, 201, 204, 301, 304, 404, 409, 410])('stores a %i answer', (statusCode) => {
    expect(shouldStoreHttpResponse({ statusCode })).toBe(true);
  });

  it.each([400, 401, 403, 408, 422, 429, 500, 502, 503])('releases the key after a %i answer', (statusCode) => {
    expect(shouldStoreHttpResponse({ statusCode })).toBe(false);
  });

  it('stores a bare HTTP API result as the 200 it becomes', () => {
    expect(shouldStoreHttpResponse({ ok: true })).toBe(true);
    expect(shouldStoreHttpResponse(null)).toBe(true);
  });
});
