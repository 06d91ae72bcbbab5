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

/**
 * The parts a record id is computed from, as the library takes them from its options and the Lambda context. The same
 * client key under another function, namespace or scope is another record.
 */
export interface RecordIdParts {
  /**
   * The Lambda function's name as `context.functionName` reports it: the name alone, not an ARN, version or alias, so
   * every version and alias of a function shares its records. Where there is no context (or it has no name), the
   * `AWS_LAMBDA_FUNCTION_NAME` environment variable, else `''`.
   */
  readonly functionName: string;
  /**
   * The `namespace` option. `idempotency()` and `httpIdempotency()`: `''` unless set; `makeIdempotent()`: the option,
   * else the wrapped function's name; `createSqsBatchHandler()`: `'sqs'` unless set. @default ''
   */
  readonly namespace?: string;
  /**
   * What the `scope` option returned for this input; `undefined` and `''` both mean the key alone. `httpIdempotency()`
   * uses `readCallerScope(event)` unless `scope` is set. @default ''
   */
  readonly scope?: string;
  /** The client's idempotency key, as the `key` option returned it. */
  readonly clientKey: string;
}

/**
 * Computes the id a record is stored under: the hex SHA-256 of the parts, JSON-encoded as an array so that no choice of
 * parts can collide with another (`a|b` + `c` vs `a` + `b|c`). The raw client key never reaches the table.
 *
 * The library computes every record id with this function, so a record can be found from its parts: the
 * `lambda-idempotency` command-line tool does, and so can an operator's own script.
 * @throws {IdempotencyKeyError} when the client key is one the library rejects (not a string, empty, longer than 255
 * characters or holding a control character): no record can have it.
 * @example
 * ```ts
 * import { deriveRecordId } from 'lambda-idempotency';
 * deriveRecordId({ functionName: 'orders-create', namespace: 'create-order', clientKey: '8e03978e-40d5-43e8-bc93-6894a57f9324' });
 * ```
 */
export function deriveRecordId(parts: RecordIdParts): string {
  const encoded = JSON.stringify([parts.functionName, parts.namespace ?? '', parts.scope ?? '', validateClientKey(parts.clientKey)]);
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
