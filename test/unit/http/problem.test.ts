import { describe, expect, it } from '@jest/globals';
import {
  IdempotencyError,
  IdempotencyInProgressError,
  IdempotencyKeyError,
  IdempotencyLeaseLostError,
  IdempotencyPayloadMismatchError,
  IdempotencyResultNotStoredError,
  IdempotencyStoreError,
} from '../../../lib/idempotency/errors.js';
import { idempotencyProblemResponse } from '../../../lib/idempotency/http/problem.js';

describe('idempotencyProblemResponse', () => {
  it.each([
    ['a missing key', new IdempotencyKeyError('missing', 'no key'), 400, 'urn:lambda-idempotency:key-missing', undefined],
    ['an invalid key', new IdempotencyKeyError('invalid', 'bad key'), 400, 'urn:lambda-idempotency:key-invalid', undefined],
    ['another payload', new IdempotencyPayloadMismatchError(), 422, 'urn:lambda-idempotency:payload-mismatch', undefined],
    ['a key in progress', new IdempotencyInProgressError(7), 409, 'urn:lambda-idempotency:in-progress', '7'],
    ['a result not stored', new IdempotencyResultNotStoredError(), 409, 'urn:lambda-idempotency:result-not-stored', undefined],
    ['an unreachable store', new IdempotencyStoreError('down', { cause: new Error('x') }), 503, 'urn:lambda-idempotency:store-unavailable', '1'],
    ['any other idempotency error', new IdempotencyError('odd'), 500, 'urn:lambda-idempotency:error', undefined],
  ])('answers %s as problem+json', (_name, error, status, type, retryAfter) => {
    const response = idempotencyProblemResponse(error);
    expect(response.statusCode).toBe(status);
    expect(response.headers?.['Content-Type']).toBe('application/problem+json');
    expect(response.headers?.['Retry-After']).toBe(retryAfter);
    expect(JSON.parse(response.body ?? '')).toEqual({ type, title: expect.any(String), status, detail: expect.any(String) });
  });

  it('passes a key error its message, and every other error a fixed detail that never repeats its message', () => {
    expect(JSON.parse(idempotencyProblemResponse(new IdempotencyKeyError('invalid', 'bad key')).body ?? '').detail).toBe('bad key');
    const internal = 'DynamoDB PutItem failed for idempotency record 0f0f in table secret-table';
    for (const error of [
      new IdempotencyStoreError(internal, { cause: new Error(internal) }),
      new IdempotencyError(internal),
      new IdempotencyLeaseLostError('0f0f'),
    ]) {
      expect(idempotencyProblemResponse(error).body).not.toMatch(/secret-table|0f0f|DynamoDB/);
    }
  });
});
