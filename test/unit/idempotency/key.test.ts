import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { IdempotencyKeyError } from '../../../lib/idempotency/errors.js';
import { deriveRecordId as publicDeriveRecordId } from '../../../lib/idempotency/index.js';
import { deriveRecordId, validateClientKey } from '../../../lib/idempotency/key.js';

describe('validateClientKey', () => {
  it('returns a valid key unchanged, up to 255 characters, unicode included', () => {
    expect(validateClientKey('8e03978e-40d5-43e8-bc93-6894a57f9324')).toBe('8e03978e-40d5-43e8-bc93-6894a57f9324');
    expect(validateClientKey('k'.repeat(255))).toHaveLength(255);
    expect(validateClientKey('clé-🔑')).toBe('clé-🔑');
  });

  it.each([
    ['an empty string', ''],
    ['256 characters', 'k'.repeat(256)],
    ['a newline', 'a\nb'],
    ['a NUL', 'a\u0000b'],
    ['DEL', 'a\u007fb'],
    ['a C1 control', 'a\u0085b'],
    ['a number', 7],
    ['an object', { key: 'a' }],
  ])('rejects %s as invalid', (_label, key) => {
    const error = (() => {
      try {
        validateClientKey(key);
      } catch (thrown) {
        return thrown;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(IdempotencyKeyError);
    expect((error as IdempotencyKeyError).problem).toBe('invalid');
  });
});

describe('deriveRecordId', () => {
  const parts = { functionName: 'charge', namespace: '', scope: 'tenant-a', clientKey: 'abc' };

  it('is a 64-character hex SHA-256 that does not contain the key', () => {
    const id = deriveRecordId(parts);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(id).not.toContain('abc');
  });

  it('is stable for equal parts', () => {
    expect(deriveRecordId({ ...parts })).toBe(deriveRecordId(parts));
  });

  it('differs when any one part differs', () => {
    const base = deriveRecordId(parts);
    expect(deriveRecordId({ ...parts, functionName: 'refund' })).not.toBe(base);
    expect(deriveRecordId({ ...parts, namespace: 'n' })).not.toBe(base);
    expect(deriveRecordId({ ...parts, scope: 'tenant-b' })).not.toBe(base);
    expect(deriveRecordId({ ...parts, clientKey: 'abd' })).not.toBe(base);
  });

  it('never collides when characters move between adjacent parts', () => {
    fc.assert(
      // Client keys are never empty: the library rejects an empty key before it derives an id.
      fc.property(fc.string(), fc.string(), fc.string({ minLength: 1 }), (a, b, c) => {
        fc.pre(b.length > 0);
        const left = deriveRecordId({ functionName: 'f', namespace: '', scope: a + b, clientKey: c });
        const right = deriveRecordId({ functionName: 'f', namespace: '', scope: a, clientKey: b + c });
        expect(left).not.toBe(right);
      }),
    );
  });

  it('is the public export, and treats an absent namespace or scope as the empty string the library stores', () => {
    expect(publicDeriveRecordId).toBe(deriveRecordId);
    expect(deriveRecordId({ functionName: 'charge', clientKey: 'abc' })).toBe(
      deriveRecordId({ functionName: 'charge', namespace: '', scope: '', clientKey: 'abc' }),
    );
  });

  it.each([
    ['empty', ''],
    ['too long', 'k'.repeat(256)],
    ['holding a newline', 'a\nb'],
    ['not a string', 42 as unknown as string],
  ])('rejects a client key that is %s, as the library rejects it before storing anything', (_label, clientKey) => {
    expect(() => deriveRecordId({ functionName: 'charge', clientKey })).toThrow(IdempotencyKeyError);
  });
});
