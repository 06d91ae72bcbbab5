import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { localDynamoDBClientConfig, startDynamoDBLocal } from '../lib/local/dynamodb-local.js';
import { startLocalServer } from '../lib/local/local-server.js';
import { runPool } from './pool.js';
import { createSoakTally, placeOrderAsClient } from './soak-client.js';
import { soakFigures } from './soak-figures.js';

// `npm run soak [-- --requests 20000 --keys 1000 --keys-in-flight 4 --max-seconds 360]`: loopback only. Every key is
// sent by requests/keys concurrent clients against the local orders API over an in-memory DynamoDB Local.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '20000' },
    keys: { type: 'string', default: '1000' },
    'keys-in-flight': { type: 'string', default: '4' },
    'max-seconds': { type: 'string', default: '360' },
    'max-retry-delay-ms': { type: 'string', default: '100' },
  },
});
const keys = Number(values.keys);
const clientsPerKey = Math.ceil(Number(values.requests) / keys);
const deadlineMs = performance.now() + Number(values['max-seconds']) * 1000;
const runId = Date.now().toString(36);
const tableNames = { idempotencyTableName: `soak-idempotency-${runId}`, ordersTableName: `soak-orders-${runId}` };

console.error('starting DynamoDB Local (in memory) and the local orders API');
const dynamo = await startDynamoDBLocal();
let firstAnswers = 0;
const server = await startLocalServer({
  dynamoDBEndpoint: dynamo.endpoint,
  port: 0,
  tableNames,
  log: (_line, request) => {
    if (request.status === 201 && !request.replayed) firstAnswers += 1;
  },
});
const tally = createSoakTally();
const client = { url: server.url, maxRetryDelayMs: Number(values['max-retry-delay-ms']), maxAttempts: 200 };
const startLoad = loadavg()[0] ?? 0;
const startedMs = performance.now();
let keysSent = 0;
let keysDone = 0;
try {
  await runPool(keys, Number(values['keys-in-flight']), async (index) => {
    if (performance.now() > deadlineMs) return;
    keysSent += 1;
    const key = `soak-${runId}-${index}`;
    await Promise.all(Array.from({ length: clientsPerKey }, () => placeOrderAsClient(key, client, tally).catch(() => (tally.unanswered += 1))));
    keysDone += 1;
    if (keysDone % 100 === 0) console.error(`${keysDone} keys, ${tally.attempts} attempts, ${((performance.now() - startedMs) / 1000).toFixed(0)} s`);
  });
  const elapsedSeconds = (performance.now() - startedMs) / 1000;
  const ordersPerKey = await countOrdersPerKey(dynamo.endpoint, tableNames.ordersTableName);
  const figures = soakFigures(tally, ordersPerKey, { keysSent, clientsPerKey, elapsedSeconds, startLoad, firstAnswers });
  console.log(figures.table);
  console.log(figures.held ? '\nHELD: one order per key, one answer per key, no 5xx.' : '\nBROKEN: see the figures above.');
  if (!figures.held) process.exitCode = 1;
} finally {
  await server.stop();
  await dynamo.stop();
}

async function countOrdersPerKey(endpoint: string, tableName: string): Promise<Map<string, number>> {
  const scanner = new DynamoDBClient({ ...localDynamoDBClientConfig, endpoint });
  const perKey = new Map<string, number>();
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await scanner.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? []) perKey.set(item.customerId?.S ?? '?', (perKey.get(item.customerId?.S ?? '?') ?? 0) + 1);
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  scanner.destroy();
  return perKey;
}
