import { createDynamoDBStore } from '../../lib/idempotency/index.js';
import { functionEnvironment } from '../routes.js';
import { dynamoDBClient } from './clients.js';
import { requireEnv } from './env.js';

/** The idempotency store of the functions that use one; fails at cold start without `IDEMPOTENCY_TABLE_NAME`. */
export const idempotencyStore = createDynamoDBStore({ tableName: requireEnv(functionEnvironment.idempotencyTableName), client: dynamoDBClient });
