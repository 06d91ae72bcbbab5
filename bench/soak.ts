import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { localDynamoDBClientConfig, startDynamoDBLocal } from '../lib/local/dynamodb-local.js';
import { startLocalServer } from '../lib/local/local-server.js';
import { runPool } from './pool.js';
import { createSoakTally, placeOrderAsClient, type SoakTally } from './soak-client.js';
import { percentile } from './stats.js';

// `npm run soak [-- --requests 20000 --keys 1000 --keys-in-flight 8 --max-seconds 360]`: loopback only. Every key is
// sent by requests/keys concurrent clients against the local orders API over an in-memory DynamoDB Local.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '20000' },
    keys: { type: 'string', default: '1000' },
    'keys-in-flight': { type: 'string', default: '8' },
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
try {
  await runPool(keys, Number(values['keys-in-flight']), async (index) => {
    if (performance.now() > deadlineMs) return;
    keysSent += 1;
    const key = `soak-${runId}-${index}`;
    await Promise.all(Array.from({ length: clientsPerKey }, () => placeOrderAsClient(key, client, tally).catch(() => (tally.unanswered += 1))));
    if (keysSent % 100 === 0) console.error(`${keysSent} keys, ${tally.attempts} attempts, ${((performance.now() - startedMs) / 1000).toFixed(0)} s`);
  });
  const elapsedSeconds = (performance.now() - startedMs) / 1000;
  const ordersPerKey = await countOrdersPerKey(dynamo.endpoint, tableNames.ordersTableName);
  printFigures(tally, ordersPerKey, { keysSent, elapsedSeconds, startLoad });
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

function printFigures(result: SoakTally, ordersPerKey: Map<string, number>, run: { keysSent: number; elapsedSeconds: number; startLoad: number }): void {
  const count = (predicate: (status: number) => boolean) => [...result.statuses].filter(([status]) => predicate(status)).reduce((sum, [, n]) => sum + n, 0);
  const orders = [...ordersPerKey.values()].reduce((sum, n) => sum + n, 0);
  const histogram = new Map<number, number>();
  for (const n of ordersPerKey.values()) histogram.set(n, (histogram.get(n) ?? 0) + 1);
  const keysWithoutOrder = run.keysSent - ordersPerKey.size;
  const disagreeing = [...result.answers.values()].filter((ids) => ids.size > 1).length;
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  const rows: Array<[string, string]> = [
    ['client requests', String(run.keysSent * clientsPerKey)],
    ['keys', String(run.keysSent)],
    ['clients per key (concurrent)', String(clientsPerKey)],
    ['HTTP attempts (with retries)', String(result.attempts)],
    ['requests/s (client requests)', ((run.keysSent * clientsPerKey) / run.elapsedSeconds).toFixed(0)],
    ['attempts/s', (result.attempts / run.elapsedSeconds).toFixed(0)],
    ['attempt latency p50 / p99', `${ms(percentile(result.attemptMs, 50))} / ${ms(percentile(result.attemptMs, 99))}`],
    ['request latency p50 / p99 (retries included)', `${ms(percentile(result.requestMs, 50))} / ${ms(percentile(result.requestMs, 99))}`],
    ['409 answers (retried)', String(count((status) => status === 409))],
    ['5xx answers', String(count((status) => status >= 500))],
    ['executions (first 201 answers)', String(firstAnswers)],
    ['orders in the table', String(orders)],
    ['orders per key', [...histogram].sort(([a], [b]) => a - b).map(([n, k]) => `${n}: ${k} keys`).join(', ') || 'none'],
    ['keys without an order', String(keysWithoutOrder)],
    ['duplicates found (keys with 2+ orders)', String([...ordersPerKey.values()].filter((n) => n > 1).length)],
    ['keys whose clients got different answers', String(disagreeing)],
    ['client requests without a 2xx answer', String(result.unanswered)],
    ['duration', `${run.elapsedSeconds.toFixed(1)} s`],
    ['machine', `${cpus().length} cores, load ${run.startLoad.toFixed(1)} at start, Node ${process.version}`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log(rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n'));
  const exact = orders === run.keysSent && keysWithoutOrder === 0 && disagreeing === 0 && count((status) => status >= 500) === 0 && result.unanswered === 0;
  console.log(exact ? '\nHELD: one order per key, one answer per key, no 5xx.' : '\nBROKEN: see the figures above.');
  if (!exact) process.exitCode = 1;
}
