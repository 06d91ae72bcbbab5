// A Lambda-like process for the crash tests: it places one order for the key it is given, prints each step and waits
// there for a line on stdin, so the parent can SIGKILL it at a chosen point. Arguments: endpoint, idempotency table,
// orders table, key, lease ms (the remaining time its context reports, so the lease of its claim), and optionally the
// payment provider's URL: then it charges through a step, and retries as a client would while the key is in progress.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createInterface } from 'node:readline';
import { createDynamoDBStore } from '../../../lib/idempotency/index.js';
import { localDynamoDBClientConfig } from '../../../lib/local/local-client-config.js';
import { createLambdaContext } from '../lambda-context.js';
import { maxLeasesWaited, retryWhileInProgress } from '../retry-while-in-progress.js';
import { createOrderPlacer } from './order-placer.js';

const [endpoint, idempotencyTable, ordersTable, key, leaseMs, paymentsUrl] = process.argv.slice(2) as [string, string, string, string, string, string?];
const client = new DynamoDBClient({ ...localDynamoDBClientConfig, endpoint });
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const placeOrder = createOrderPlacer(
  createDynamoDBStore({ tableName: idempotencyTable, client }),
  ordersTable,
  async (step) => {
    process.stdout.write(`${step}\n`);
    await lines.next();
  },
  paymentsUrl,
);
const place = () => placeOrder({ key }, createLambdaContext({ functionName: 'place-order', remainingMs: Number(leaseMs) }));
// Only with a provider: the crash loop's next worker may start while the dead one's lease still runs.
const answer = await retryWhileInProgress(place, paymentsUrl === undefined ? 0 : maxLeasesWaited);
process.stdout.write(`answered ${JSON.stringify(answer)}\n`);
client.destroy();
process.stdin.destroy();
