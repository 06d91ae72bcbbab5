// Plain JavaScript on purpose: Jest loads global setup outside its ESM module map, so it imports the TypeScript
// launcher through tsx, the same loader `npm start` uses.
import { tsImport } from 'tsx/esm/api';

/** Starts one DynamoDB Local and one redis-server for the whole run; workers find them through DYNAMODB_ENDPOINT and REDIS_URL. */
export default async function globalSetup() {
  const { startDynamoDBLocal } = await tsImport('../../lib/local/dynamodb-local.ts', import.meta.url);
  const { startRedisServer } = await tsImport('../../lib/local/redis-server.ts', import.meta.url);
  const redis = await startRedisServer();
  globalThis.redisServer = redis;
  process.env.REDIS_URL = redis.url;
  // Java starts slowly on a loaded 2-core machine; the default 30 s is for `npm start`.
  const local = await startDynamoDBLocal({ startTimeoutMs: 120_000 });
  globalThis.dynamoDBLocal = local;
  process.env.DYNAMODB_ENDPOINT = local.endpoint;
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
}
