// A Lambda-like process for the crash tests: it places one order for the key it is given and prints each step, so
// the parent can SIGKILL it at a chosen point. Arguments: endpoint, idempotency table, orders table, key, pause ms, lease ms.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoDBStore } from '../../../lib/idempotency/index.js';
import { localDynamoDBClientConfig } from '../../../lib/local/local-client-config.js';
import { createLambdaContext } from '../lambda-context.js';
import { createOrderPlacer } from './order-placer.js';

const [endpoint, idempotencyTable, ordersTable, key, pauseMs, leaseMs] = process.argv.slice(2) as [string, string, string, string, string, string];
const client = new DynamoDBClient({ ...localDynamoDBClientConfig, endpoint });
const placeOrder = createOrderPlacer(createDynamoDBStore({ tableName: idempotencyTable, client }), ordersTable, Number(pauseMs), (step) =>
  process.stdout.write(`${step}\n`),
);
const deadline = Date.now() + Number(leaseMs);
const answer = await placeOrder({ key }, createLambdaContext({ functionName: 'place-order', remaining: () => deadline - Date.now() }));
process.stdout.write(`answered ${JSON.stringify(answer)}\n`);
client.destroy();
