import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { canonicalJson, hashFingerprint } from '../../../lib/idempotency/fingerprint.js';

const shuffleKeys = (value: unknown, seed: number): unknown => {
  if (Array.isArray(value)) return value.map((item) => shuffleKeys(item, seed));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  const rotated = entries.slice(seed % Math.max(entries.length, 1)).concat(entries.slice(0, seed % Math.max(entries.length, 1))).reverse();
  return Object.fromEntries(rotated.map(([key, item]) => [key, shuffleKeys(item, seed + 1)]));
};

describe('canonicalJson', () => {
  it('sorts object keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1], c: null } })).toBe('{"a":{"c":null,"d":[3,1]},"b":1}');
  });

  it('orders keys by code unit, so case matters', () => {
    expect(canonicalJson({ b: 1, B: 2, a: 3 })).toBe('{"B":2,"a":3,"b":1}');
  });

  it('serialises undefined as a value of its own', () => {
    expect(canonicalJson(undefined)).toBe('undefined');
  });

  it('is insensitive to key order (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), (value, seed) => {
        expect(canonicalJson(shuffleKeys(value, seed))).toBe(canonicalJson(value));
      }),
    );
  });

  it('round-trips to an equal value (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });
});

describe('hashFingerprint', () => {
  it('gives equal hashes for reordered objects and different ones for different values', () => {
    expect(hashFingerprint({ a: 1, b: 2 })).toBe(hashFingerprint({ b: 2, a: 1 }));
    expect(hashFingerprint({ a: 1 })).not.toBe(hashFingerprint({ a: 2 }));
  });

  it('keeps a string apart from the JSON it spells and bytes apart from text', () => {
    expect(hashFingerprint('{"a":1}')).not.toBe(hashFingerprint({ a: 1 }));
    expect(hashFingerprint(Buffer.from('abc'))).not.toBe(hashFingerprint('abc'));
    expect(hashFingerprint(Buffer.from('abc'))).toBe(hashFingerprint(new Uint8Array([97, 98, 99])));
  });

  it('is case-exact', () => {
    expect(hashFingerprint({ name: 'Ada' })).not.toBe(hashFingerprint({ name: 'ada' }));
  });
});
