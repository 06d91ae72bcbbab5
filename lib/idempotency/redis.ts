/**
 * The `lambda-idempotency/redis` entry: the Redis store, apart from the main entry so that a DynamoDB user's bundle
 * never holds it, whatever the bundler. Its errors are the main entry's classes: `instanceof` works across both.
 */
export { createRedisStore, redisStoreDefaults, type RedisStoreOptions } from './store/redis-store.js';
export type { IoRedisClientLike, NodeRedisClientLike, RedisClientLike } from './store/redis-client.js';
