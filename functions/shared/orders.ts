import { createOrdersRepository } from '../orders/orders-repository.js';
import { functionEnvironment } from '../routes.js';
import { documentClient } from './clients.js';
import { requireEnv } from './env.js';

/** The orders table of this sandbox; fails at cold start without `ORDERS_TABLE_NAME`. */
export const orders = createOrdersRepository({ client: documentClient, tableName: requireEnv(functionEnvironment.ordersTableName) });
