import { createHash } from 'node:crypto';

/**
 * Serialises a JSON-like value with object keys in code-unit order at every depth, so that two payloads that differ
 * only in key order or whitespace serialise the same. Arrays keep their order; `undefined` members are dropped as
 * `JSON.stringify` drops them.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeysDeep(value)) ?? 'undefined';
}

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  // No prototype: a `__proto__` key must stay a key, or `{"__proto__":1}` and `{}` would share a fingerprint.
  const sorted: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  // Plain `<` on strings compares UTF-16 code units: a total order, unlike a case-folding comparator.
  for (const key of Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    sorted[key] = sortKeysDeep((value as Record<string, unknown>)[key]);
  }
  return sorted;
}

/**
 * Hashes what a duplicate must match: bytes are hashed as they are, anything else as its canonical JSON.
 * Returns the hex SHA-256.
 */
export function hashFingerprint(value: unknown): string {
  const hash = createHash('sha256');
  if (value instanceof Uint8Array) hash.update('b:').update(value);
  else hash.update('j:').update(canonicalJson(value));
  return hash.digest('hex');
}
