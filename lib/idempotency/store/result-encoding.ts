import { gunzipSync, gzipSync } from 'node:zlib';
import { IdempotencyRecordCorruptError } from '../errors.js';
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
 * The most UTF-8 bytes of JSON a replay inflates: 6 MiB, Lambda's limit on a synchronous response. Larger results are
 * not stored, so a record that inflates beyond it was not written by this library, and a gzip bomb stops there.
 */
export const maxResultJsonBytes = 6 * 1024 * 1024;

/**
 * Encodes a handler result for storage: JSON text, gzipped when its UTF-8 size passes `compressAboveBytes`.
 * A result that is not JSON-serialisable (a BigInt, a cycle), larger than {@link maxResultJsonBytes} as JSON, or still
 * larger than `maxStoredBytes` is `not-stored`: its caller gets it, duplicates get an error, and the handler never runs twice.
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
  if (textBytes > maxResultJsonBytes) return { kind: 'not-stored' };
  if (textBytes <= limits.compressAboveBytes && textBytes <= limits.maxStoredBytes) return { kind: 'text', json };
  const bytes = gzipSync(json);
  const smaller: EncodedResult = bytes.byteLength < textBytes ? { kind: 'gzip', bytes } : { kind: 'text', json };
  return Math.min(bytes.byteLength, textBytes) <= limits.maxStoredBytes ? smaller : { kind: 'not-stored' };
}

/**
 * Turns a stored result into a fresh value for each replay, so no caller can mutate another's copy. Decoding happens
 * here, on replay only, and inflates at most {@link maxResultJsonBytes}.
 * @throws {IdempotencyRecordCorruptError} when the result is not valid gzip or JSON, inflates past the bound, or is unreadable.
 */
export function parseStoredResult(result: StoredResult & { kind: 'json' | 'gzip' | 'undefined' | 'unreadable' }, recordId: string): unknown {
  if (result.kind === 'undefined') return undefined;
  if (result.kind === 'unreadable') throw new IdempotencyRecordCorruptError(recordId, 'its result attribute has an unknown type', { cause: undefined });
  const json = result.kind === 'json' ? result.json : inflate(result.bytes, recordId);
  try {
    return JSON.parse(json);
  } catch (error) {
    throw new IdempotencyRecordCorruptError(recordId, 'its result is not valid JSON', { cause: error });
  }
}

function inflate(bytes: Uint8Array, recordId: string): string {
  try {
    return gunzipSync(bytes, { maxOutputLength: maxResultJsonBytes }).toString('utf8');
  } catch (error) {
    throw new IdempotencyRecordCorruptError(recordId, `its result is not gzip of at most ${maxResultJsonBytes} bytes`, { cause: error });
  }
}
