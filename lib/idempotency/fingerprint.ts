import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

/**
 * Hashes what a duplicate must match: bytes are hashed as they are, anything else as its canonical form
 * ({@link canonicalJson}), so two values share a hash only when they are the same payload. Returns the hex SHA-256.
 */
export function hashFingerprint(value: unknown): string {
  const hash = createHash('sha256');
  if (value instanceof Uint8Array) hash.update('b:').update(value);
  else hash.update('j:').update(canonicalJson(value));
  return hash.digest('hex');
}
