import { IdempotencyStoreError } from '../errors.js';
import { requireNonEmptyString, requirePositiveInteger } from '../option-checks.js';
import { claimExpiresAtEpochSeconds, type IdempotencyRecord } from '../record.js';
import { evalScript, isRedisClientLike, type RedisClientLike, type RedisScript } from './redis-client.js';
import { readRecordReply, resultField, unexpectedReply } from './redis-record.js';
import { claimScript, completeScript, getScript, releaseScript } from './redis-scripts.js';
import { encodeResult } from './result-encoding.js';
import { newClaim } from './new-claim.js';
import type { Claim, ClaimRequest, ClaimResult, CompleteResult, FencedWriteResult, IdempotencyStore } from './store.js';

/** Options of {@link createRedisStore}. */
export interface RedisStoreOptions {
  /** A connected client of `redis` (v5 or v6, after `await client.connect()`) or `ioredis` (v5 or v6). Required; the caller owns it. */
  client: RedisClientLike;
  /** Prepended to the record id to make its Redis key, e.g. `idempotency:3f7a…`. @default 'idempotency:' */
  keyPrefix?: string;
  /** Results larger than this many bytes of JSON are gzip-compressed (and kept as base64 text). @default 1024 */
  compressAboveBytes?: number;
  /** Results still larger than this after compression are not stored (duplicates get an error). @default 390_000 */
  maxStoredResultBytes?: number;
}

/** The default values of {@link RedisStoreOptions}: the DynamoDB store's limits, so a result is kept alike in both. */
export const redisStoreDefaults = {
  keyPrefix: 'idempotency:',
  compressAboveBytes: 1024,
  maxStoredResultBytes: 390_000,
} as const;

/**
 * Creates an idempotency store on Redis (or Valkey, ElastiCache, MemoryDB) over a client you pass in. Each operation
 * is one Lua script, atomic on the server and one round trip (EVALSHA): a claim takes the key (absent, retention
 * passed, or lease ended) or answers the record that holds it; completion and release are fenced on the claim's lease
 * token; every record is a hash that Redis deletes by itself at the end of its retention (EXPIREAT), never before its
 * lease ends. It cannot complete inside a DynamoDB transaction, so `completeWithTransaction` refuses it.
 * @throws {TypeError} naming the option when an option is invalid.
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { createRedisStore } from 'lambda-idempotency/redis';
 * const client = await createClient({ url: process.env.REDIS_URL }).connect();
 * const store = createRedisStore({ client });
 * ```
 */
export function createRedisStore(options: RedisStoreOptions): IdempotencyStore {
  const { client, keyPrefix, ...limits } = { ...redisStoreDefaults, ...options };
  if (!isRedisClientLike(client)) throw new TypeError('Expected `client` to be a redis or ioredis client, with `sendCommand` or `call`.');
  requireNonEmptyString('keyPrefix', keyPrefix);
  requirePositiveInteger('compressAboveBytes', limits.compressAboveBytes);
  requirePositiveInteger('maxStoredResultBytes', limits.maxStoredResultBytes);
  const encodingLimits = { compressAboveBytes: limits.compressAboveBytes, maxStoredBytes: limits.maxStoredResultBytes };

  const run = async (operation: string, script: RedisScript, id: string, args: readonly string[]): Promise<unknown> => {
    try {
      return await evalScript(client, script, `${keyPrefix}${id}`, args);
    } catch (error) {
      throw new IdempotencyStoreError(`Redis ${operation} failed for idempotency record ${id}`, { cause: error });
    }
  };
  // The fenced scripts answer 1 or 0; anything else is no answer this store can act on.
  const fencedAnswer = (reply: unknown, id: string): boolean => {
    if (reply === 1 || reply === 0) return reply === 1;
    throw unexpectedReply(id);
  };

  const claim = async (request: ClaimRequest): Promise<ClaimResult> => {
    const claimed = newClaim(request);
    const args = [request.nowMs, claimed.leaseToken, claimed.leaseExpiresAtEpochMs, claimExpiresAtEpochSeconds(claimed), request.fingerprintHash ?? ''];
    const answer = readRecordReply(await run('claim', claimScript, request.id, args.map(String)), request.id);
    if (answer.kind === 'held') return { kind: 'held', record: answer.record };
    if (answer.kind === 'claimed') return { kind: 'claimed', claim: claimed };
    throw unexpectedReply(request.id);
  };

  const complete = async (owned: Claim, result: unknown): Promise<CompleteResult> => {
    const encoded = encodeResult(result, encodingLimits);
    const [name = '', value = ''] = resultField(encoded);
    const reply = await run('completion', completeScript, owned.id, [owned.leaseToken, String(owned.expiresAtEpochSeconds), name, value]);
    return fencedAnswer(reply, owned.id) ? { kind: 'completed', resultStored: encoded.kind !== 'not-stored' } : { kind: 'lease-lost' };
  };

  const release = async (owned: Claim): Promise<FencedWriteResult> =>
    fencedAnswer(await run('release', releaseScript, owned.id, [owned.leaseToken]), owned.id) ? 'done' : 'lease-lost';

  const get = async (id: string): Promise<IdempotencyRecord | undefined> => {
    const answer = readRecordReply(await run('read', getScript, id, []), id);
    if (answer.kind === 'held') return answer.record;
    if (answer.kind === 'absent') return undefined;
    throw unexpectedReply(id);
  };

  return { claim, complete, release, get };
}
