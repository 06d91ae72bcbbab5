import { Redis } from 'ioredis';
import lowestIoRedis from 'ioredis-lowest';
import { createClient } from 'redis';
import { createClient as createLowestClient } from 'redis-lowest';
import type { RedisClientLike } from '../../lib/idempotency/redis.js';

/** The URL of the redis-server that global-setup started. */
export function redisUrl(): string {
  const url = process.env.REDIS_URL;
  if (url === undefined) throw new Error('REDIS_URL is not set: run the tests through jest, whose global setup starts redis-server');
  return url;
}

/** A connected client and how to close it. */
export interface TestRedisClient {
  readonly client: RedisClientLike;
  close(): Promise<void>;
}

/**
 * How a test reaches a server: each peer range's newest and lowest version of both clients. Reconnection is short
 * and bounded, so a stopped server fails a command within a few attempts instead of queueing it for minutes.
 */
export const redisClientKinds: Array<[string, (url: string) => Promise<TestRedisClient>]> = [
  [
    'node-redis 6',
    async (url) =>
      nodeRedis(
        await createClient({ url, disableOfflineQueue: true, socket: { reconnectStrategy: 10 } })
          .on('error', () => undefined)
          .connect(),
      ),
  ],
  ['ioredis 6', async (url) => ioRedis(new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => 10, disconnectTimeout: 10 }))],
  [
    'node-redis 5 (lowest)',
    async (url) =>
      nodeRedis(
        await createLowestClient({ url, disableOfflineQueue: true, socket: { reconnectStrategy: 10 } })
          .on('error', () => undefined)
          .connect(),
      ),
  ],
  ['ioredis 5 (lowest)', async (url) => ioRedis(new lowestIoRedis.default(url, { maxRetriesPerRequest: 1, retryStrategy: () => 10, disconnectTimeout: 10 }))],
];

function nodeRedis(client: { sendCommand(args: string[]): Promise<unknown>; destroy(): void }): TestRedisClient {
  return { client, close: async () => client.destroy() };
}

function ioRedis(client: Redis | InstanceType<typeof lowestIoRedis.default>): TestRedisClient {
  // ioredis reports connection errors as events; the commands themselves reject, which is what the store sees.
  client.on('error', () => undefined);
  return { client, close: async () => client.disconnect() };
}
