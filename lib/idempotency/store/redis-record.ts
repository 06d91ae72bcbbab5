import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { IdempotencyRecordCorruptError, IdempotencyStoreError } from '../errors.js';
import type { IdempotencyRecord } from '../record.js';
import { fixedAttributeNames, fromItem, itemAttributeNames } from './dynamodb-item.js';
import type { EncodedResult } from './result-encoding.js';

/**
 * The fields of a record's Redis hash: the DynamoDB item's attribute names, with the retention end in `expiration`
 * and a gzipped result as base64 text in `data_gzip` (Redis replies reach both clients as text).
 */
export const redisFields = { ...fixedAttributeNames, expiry: 'expiration', dataGzip: 'data_gzip' } as const;

// The record id is the Redis key minus its prefix; `fromItem` reads it from this attribute.
const itemNames = itemAttributeNames('id', redisFields.expiry);

/** What a script answered about the record at a key. */
export type RedisRecordReply = { readonly kind: 'claimed' } | { readonly kind: 'absent' } | { readonly kind: 'held'; readonly record: IdempotencyRecord };

/** The hash field and value that store an encoded result, or none for an `undefined` result. */
export function resultField(encoded: EncodedResult): [string, string] | [] {
  switch (encoded.kind) {
    case 'undefined':
      return [];
    case 'not-stored':
      return [redisFields.dataNotStored, '1'];
    case 'text':
      return [redisFields.data, encoded.json];
    case 'gzip':
      return [redisFields.dataGzip, Buffer.from(encoded.bytes).toString('base64')];
  }
}

/**
 * Reads a script's answer about record `id`: `['claimed']`, `['absent']`, `['held', field, value, …]` or
 * `['foreign', type]`.
 * @throws {IdempotencyRecordCorruptError} when the key holds another Redis type, or the hash is not a readable record.
 * @throws {IdempotencyStoreError} when the reply has a shape no script of this store sends.
 */
export function readRecordReply(reply: unknown, id: string): RedisRecordReply {
  if (!Array.isArray(reply) || !reply.every((part) => typeof part === 'string')) throw unexpectedReply(id);
  const [tag, ...rest] = reply as string[];
  if ((tag === 'claimed' || tag === 'absent') && rest.length === 0) return { kind: tag };
  if (tag === 'foreign') throw new IdempotencyRecordCorruptError(id, `its Redis key holds a ${rest[0] ?? 'value'}, not a hash`, { cause: undefined });
  if (tag !== 'held' || rest.length % 2 !== 0) throw unexpectedReply(id);
  return { kind: 'held', record: fromItem(toItem(rest, id), itemNames) };
}

/** The error for a reply no script of this store sends. */
export const unexpectedReply = (id: string): IdempotencyStoreError =>
  new IdempotencyStoreError(`Redis sent an unexpected reply for idempotency record ${id}`, { cause: undefined });

// The hash in the attribute-value form of a DynamoDB item, so that one reader checks records of both stores alike.
function toItem(fields: readonly string[], id: string): Record<string, AttributeValue> {
  const item: Record<string, AttributeValue> = { [itemNames.key]: { S: id } };
  for (let index = 0; index < fields.length; index += 2) {
    const name = fields[index] as string;
    const value = fields[index + 1] as string;
    if (name === redisFields.expiry || name === redisFields.leaseExpiry) item[name] = { N: value };
    else if (name === redisFields.dataNotStored) item[name] = { BOOL: value === '1' };
    else if (name === redisFields.dataGzip) item[redisFields.data] = { B: Buffer.from(value, 'base64') };
    else item[name] = { S: value };
  }
  return item;
}
