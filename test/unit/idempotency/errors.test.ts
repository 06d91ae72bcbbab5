import { describe, expect, it } from '@jest/globals';
import * as library from '../../../lib/idempotency/index.js';

const cases: Array<[string, Error, (error: unknown) => boolean]> = [
  ['IdempotencyKeyError', new library.IdempotencyKeyError('missing', 'An idempotency key is required'), library.isIdempotencyKeyError],
  ['IdempotencyInProgressError', new library.IdempotencyInProgressError(3), library.isIdempotencyInProgressError],
  ['IdempotencyPayloadMismatchError', new library.IdempotencyPayloadMismatchError(), library.isIdempotencyPayloadMismatchError],
  ['IdempotencyStoreError', new library.IdempotencyStoreError('down', { cause: new Error('socket') }), library.isIdempotencyStoreError],
  ['IdempotencyResultNotStoredError', new library.IdempotencyResultNotStoredError(), library.isIdempotencyResultNotStoredError],
];

describe('errors', () => {
  it.each(cases)('%s is an IdempotencyError with its own name and guard', (name, error, guard) => {
    expect(error).toBeInstanceOf(library.IdempotencyError);
    expect(library.isIdempotencyError(error)).toBe(true);
    expect(error.name).toBe(name);
    expect(guard(error)).toBe(true);
    expect(cases.filter(([, other]) => other !== error).some(([, other]) => guard(other))).toBe(false);
    expect(guard(new Error('plain'))).toBe(false);
  });

  it('carries the retry hint and the cause', () => {
    expect(new library.IdempotencyInProgressError(7).retryAfterSeconds).toBe(7);
    const cause = new Error('socket hang up');
    expect(new library.IdempotencyStoreError('down', { cause }).cause).toBe(cause);
  });
});
