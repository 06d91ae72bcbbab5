import { createHash } from 'node:crypto';

/** What the Redis store needs of a node-redis (`redis` v5 or v6) client: its raw command call. */
export interface NodeRedisClientLike {
  sendCommand(args: string[]): Promise<unknown>;
}

/** What the Redis store needs of an ioredis (v5 or v6) or iovalkey client: its raw command call. */
export interface IoRedisClientLike {
  call(command: string, ...args: string[]): Promise<unknown>;
}

/**
 * A connected Redis client the caller owns: `createClient()` of `redis` (after `connect()`), or `new Redis()` of
 * `ioredis`. The store only sends raw commands through it, so it imports neither package.
 */
export type RedisClientLike = NodeRedisClientLike | IoRedisClientLike;

/** A Lua script with its SHA-1, computed once, for EVALSHA. */
export interface RedisScript {
  readonly source: string;
  readonly sha1: string;
}

/** Prepares `source` for {@link evalScript}. */
export function redisScript(source: string): RedisScript {
  return { source, sha1: createHash('sha1').update(source).digest('hex') };
}

/** Sends one raw command through either kind of client. */
export function sendCommand(client: RedisClientLike, args: string[]): Promise<unknown> {
  // ioredis also has a `sendCommand`, taking a Command object: its `call` is the raw form.
  if (typeof (client as Partial<IoRedisClientLike>).call === 'function') {
    const [command = '', ...rest] = args;
    return (client as IoRedisClientLike).call(command, ...rest);
  }
  return (client as NodeRedisClientLike).sendCommand(args);
}

const isNoScript = (error: unknown) => error instanceof Error && error.message.startsWith('NOSCRIPT');

/**
 * Runs `script` on one key in one round trip: EVALSHA, and EVAL only when the server does not know the script yet
 * (first use, or after a restart or failover). A NOSCRIPT answer means nothing ran, so sending EVAL then is safe.
 */
export async function evalScript(client: RedisClientLike, script: RedisScript, key: string, args: readonly string[]): Promise<unknown> {
  try {
    return await sendCommand(client, ['EVALSHA', script.sha1, '1', key, ...args]);
  } catch (error) {
    if (!isNoScript(error)) throw error;
    return sendCommand(client, ['EVAL', script.source, '1', key, ...args]);
  }
}

/** True when `value` looks like a client this store can drive. */
export const isRedisClientLike = (value: unknown): value is RedisClientLike =>
  typeof value === 'object' &&
  value !== null &&
  (typeof (value as Partial<IoRedisClientLike>).call === 'function' || typeof (value as Partial<NodeRedisClientLike>).sendCommand === 'function');
