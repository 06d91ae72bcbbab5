import { gunzipSync, gzipSync } from 'node:zlib';
import type { StoredResult } from '../record.js';

/** A handler result ready to be written: JSON text, gzip-compressed JSON, or a marker. */
export type EncodedResult =
  | { readonly kind: 'undefined' }
  | { readonly kind: 'text'; readonly json: string }
  | { readonly kind: 'gzip'; readonly bytes: Uint8Array }
  | { readonly kind: 'not-stored' };

/** Size limits of {@link encodeResult}, in bytes of UTF-8 JSON (before compression) and of what is written. */
export interface ResultEncodingLimits {
  readonly compressAboveBytes: number;
  readonly maxStoredBytes: number;
}

/**
 * Encodes a handler result for storage: JSON text, gzipped when its UTF-8 size passes `compressAboveBytes`.
 * A result that is not JSON-serialisable (a BigInt, a cycle) or still larger than `maxStoredBytes` is `not-stored`:
 * its caller gets it, duplicates get an error, and the handler never runs twice.
 */
export function encodeResult(result: unknown, limits: ResultEncodingLimits): EncodedResult {
  if (result === undefined) return { kind: 'undefined' };
  let json: string | undefined;
  try {
    json = JSON.stringify(result);
  } catch {
    return { kind: 'not-stored' };
  }
  // Functions and symbols stringify to undefined: there is nothing faithful to replay.
  if (json === undefined) return { kind: 'not-stored' };
  // UTF-8 takes at most 3 bytes per UTF-16 code unit: short text needs no byte count.
  if (json.length * 3 <= Math.min(limits.compressAboveBytes, limits.maxStoredBytes)) return { kind: 'text', json };
  const textBytes = Buffer.byteLength(json, 'utf8');
  if (textBytes <= limits.compressAboveBytes && textBytes <= limits.maxStoredBytes) return { kind: 'text', json };
  const bytes = gzipSync(json);
  const smaller: EncodedResult = bytes.byteLength < textBytes ? { kind: 'gzip', bytes } : { kind: 'text', json };
  return Math.min(bytes.byteLength, textBytes) <= limits.maxStoredBytes ? smaller : { kind: 'not-stored' };
}

/** Turns what a store read back into the {@link StoredResult} the lifecycle replays. */
export function decodeResult(encoded: EncodedResult): StoredResult {
  switch (encoded.kind) {
    case 'undefined':
    case 'not-stored':
      return encoded;
    case 'text':
      return { kind: 'json', json: encoded.json };
    case 'gzip':
      return { kind: 'json', json: gunzipSync(encoded.bytes).toString('utf8') };
  }
}

/** Parses a stored result into a fresh value for each replay, so no caller can mutate another's copy. */
export function parseStoredResult(result: StoredResult & { kind: 'json' | 'undefined' }): unknown {
  return result.kind === 'undefined' ? undefined : JSON.parse(result.json);
}
