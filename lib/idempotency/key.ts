import { createHash } from 'node:crypto';
import { IdempotencyKeyError } from './errors.js';

/** The longest client key accepted, in characters. */
export const maxClientKeyLength = 255;

// C0 controls, DEL and C1 controls: they break headers and logs, and no honest client sends them.
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Checks a client-supplied idempotency key and returns it unchanged.
 * @throws {IdempotencyKeyError} when the key is not a string, is empty, is longer than 255 characters or holds a control character.
 */
export function validateClientKey(key: unknown): string {
  if (typeof key !== 'string') throw new IdempotencyKeyError('invalid', `The idempotency key must be a string, got ${typeof key}`);
  if (key.length === 0) throw new IdempotencyKeyError('invalid', 'The idempotency key must not be empty');
  if (key.length > maxClientKeyLength) {
    throw new IdempotencyKeyError('invalid', `The idempotency key must be at most ${maxClientKeyLength} characters, got ${key.length}`);
  }
  if (controlCharacter.test(key)) throw new IdempotencyKeyError('invalid', 'The idempotency key must not contain control characters');
  return key;
}

/** What makes two stored keys distinct: the same client key under another function, namespace or scope is another record. */
export interface RecordIdParts {
  readonly functionName: string;
  readonly namespace: string;
  readonly scope: string;
  readonly clientKey: string;
}

/**
 * Derives the stored partition key: the hex SHA-256 of the parts, JSON-encoded as an array so that no choice of
 * parts can collide with another (`a|b` + `c` vs `a` + `b|c`). The raw client key never reaches the table.
 */
export function deriveRecordId(parts: RecordIdParts): string {
  const encoded = JSON.stringify([parts.functionName, parts.namespace, parts.scope, parts.clientKey]);
  return createHash('sha256').update(encoded).digest('hex');
}

// Fixed and versioned, so a step key can equal no other hash this library (or anyone) derives from the same parts.
const stepKeyDomain = 'lambda-idempotency step key v1';

/**
 * Derives the downstream idempotency key of step `name` of record `recordId`: the hex SHA-256 of a fixed domain
 * label, the record id and the name, JSON-encoded as an array. The same on every attempt of the record, different for
 * each step and record; the record id is itself a hash, so it reveals nothing of the client key.
 */
export function deriveStepKey(recordId: string, name: string): string {
  return createHash('sha256')
    .update(JSON.stringify([stepKeyDomain, recordId, name]))
    .digest('hex');
}
