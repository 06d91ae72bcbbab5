import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { canonicalJson } from '../../../lib/idempotency/canonical-json.js';
import { hashFingerprint } from '../../../lib/idempotency/fingerprint.js';

const shuffleKeys = (value: unknown, seed: number): unknown => {
  if (Array.isArray(value)) return value.map((item) => shuffleKeys(item, seed));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  const rotated = entries
    .slice(seed % Math.max(entries.length, 1))
    .concat(entries.slice(0, seed % Math.max(entries.length, 1)))
    .reverse();
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

  it('writes JSON values (without -0, which JSON cannot carry) as JSON (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const json: unknown = JSON.parse(JSON.stringify(value));
        expect(JSON.parse(canonicalJson(json))).toEqual(json);
      }),
    );
  });
});

class Money {
  constructor(readonly cents: number) {}
}
const cyclic = () => {
  const node: Record<string, unknown> = { name: 'n' };
  node.self = node;
  return node;
};
const deep = (depth: number) => {
  let value: unknown = 1;
  for (let level = 0; level < depth; level++) value = { a: value };
  return value;
};

describe('canonicalJson tells apart what JSON.stringify merges', () => {
  it.each<[string, unknown, unknown]>([
    ['-0 and 0', -0, 0],
    ['NaN and null', NaN, null],
    ['Infinity and null', Infinity, null],
    ['an undefined member and a missing one', { a: undefined }, {}],
    ['undefined and null in an array', [undefined], [null]],
    // biome-ignore lint/suspicious/noSparseArray: the hole is the case under test.
    ['a hole and undefined', [, 1], [undefined, 1]],
    ['two Maps', new Map([['a', 1]]), new Map([['a', 2]])],
    ['a Map and an empty object', new Map([['a', 1]]), {}],
    ['two Sets', new Set([1]), new Set([2])],
    ['a Date and its ISO string', new Date(0), new Date(0).toISOString()],
    ['two typed arrays', { b: new Uint8Array([1]) }, { b: new Uint8Array([2]) }],
    ['a typed array and the object of its indices', { b: new Uint8Array([1]) }, { b: { 0: 1 } }],
    ['a class instance and a plain object', new Money(1), { cents: 1 }],
    ['two BigInts', 12345678901234567891n, 12345678901234567890n],
    ['two symbol-keyed members', { [Symbol.for('a')]: 1 }, { [Symbol.for('a')]: 2 }],
    ['a function and null', [() => 1], [null]],
    ['a boxed and a bare number', new Number(1), 1], // eslint-disable-line no-new-wrappers
    ['two regular expressions', /a/g, /a/i],
    ['two ArrayBuffers', new Uint8Array([1]).buffer, new Uint8Array([2]).buffer],
    ['two URLs, by their toJSON()', new URL('https://a.example/'), new URL('https://b.example/')],
    ['two Errors, by their own properties', new Error('a'), new Error('b')],
    ['a symbol and its description', Symbol.for('a'), 'a'],
  ])('%s', (_name, a, b) => {
    expect(canonicalJson(a)).not.toBe(canonicalJson(b));
  });

  it('writes Map entries and Set members in any order alike', () => {
    expect(
      canonicalJson(
        new Map([
          ['a', 1],
          ['b', 2],
        ]),
      ),
    ).toBe(
      canonicalJson(
        new Map([
          ['b', 2],
          ['a', 1],
        ]),
      ),
    );
    expect(canonicalJson(new Set([1, 2]))).toBe(canonicalJson(new Set([2, 1])));
  });

  it('writes cycles and 100,000 levels of nesting without throwing', () => {
    expect(canonicalJson(cyclic())).toBe(canonicalJson(cyclic()));
    expect(canonicalJson(deep(100_000))).not.toBe(canonicalJson(deep(99_999)));
  });

  it('gives two values one serialisation only when they are deeply, strictly equal (property)', () => {
    const value = fc.anything({
      maxDepth: 2,
      maxKeys: 2,
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withSparseArray: true,
      withTypedArray: true,
      values: [fc.constantFrom(0, -0, NaN, null, undefined, 1, '1', 1n)],
    });
    fc.assert(
      fc.property(value, value, (a, b) => {
        expect(canonicalJson(a) === canonicalJson(b)).toBe(isDeepStrictEqual(a, b));
      }),
      { numRuns: 2_000 },
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
