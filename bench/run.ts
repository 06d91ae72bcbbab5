import { loadavg } from 'node:os';
import { startDynamoDBLocal } from '../lib/local/dynamodb-local.js';
import { startRedisServer } from '../lib/local/redis-server.js';
import { measureBundles } from './bundle-size.js';
import { measureCpu } from './cpu.js';
import { measureExactlyOnce } from './exactly-once.js';
import { measureInProgressWait } from './in-progress-wait.js';
import { measureLatency } from './latency.js';
import { startPaymentProvider } from '../lib/local/payment-provider.js';
import { measurePlacedOrder } from './placed-order.js';
import { measureStepCost } from './step-cost.js';
import { endProgress, reportProgress } from './progress.js';
import { describeRun, type BenchResults } from './results.js';
import { measureRoundTrips } from './round-trips.js';
import { readSettings, type BenchSettings } from './settings.js';
import { renderText } from './report-table.js';
import { measureStores } from './stores.js';
import { buildTables } from './tables.js';
import { checkTargets } from './targets.js';
import { measureThroughput } from './throughput.js';
import { writeResults } from './write-results.js';

// `npm run bench [-- --quick]`: measures this library beside Powertools idempotency on one DynamoDB Local, and both
// libraries' stores side by side on it and on one redis-server.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

async function measureOnDynamoDB(settings: BenchSettings) {
  reportProgress('starting DynamoDB Local and redis-server (in memory)');
  const local = await startDynamoDBLocal();
  const redis = await startRedisServer();
  // The payment provider the paid-order rows charge, on loopback like DynamoDB Local.
  const provider = await startPaymentProvider();
  try {
    const roundTrips = await measureRoundTrips(local.endpoint);
    const latency = await measureLatency(local.endpoint, settings);
    const throughput = await measureThroughput(local.endpoint, settings);
    const exactlyOnce = await measureExactlyOnce(local.endpoint, settings);
    const placedOrder = await measurePlacedOrder(local.endpoint, settings);
    const paidOrder = await measurePlacedOrder(local.endpoint, settings, provider.url);
    const stepCost = await measureStepCost(local.endpoint, settings);
    const inProgressWait = await measureInProgressWait(local.endpoint, settings);
    const stores = await measureStores({ dynamoDBEndpoint: local.endpoint, redisUrl: redis.url }, settings);
    return { roundTrips, latency, throughput, exactlyOnce, placedOrder, paidOrder, stepCost, inProgressWait, stores };
  } finally {
    await provider.close();
    await local.stop();
    await redis.stop();
  }
}

async function main(): Promise<void> {
  const settings = readSettings(process.argv.slice(2));
  const startLoad = loadavg()[0] as number;
  const started = performance.now();
  const io = await measureOnDynamoDB(settings);
  // Measured once DynamoDB Local's JVM is gone, so it does not compete for the CPU.
  const cpu = await measureCpu(settings);
  const bundles = await measureBundles(settings);
  endProgress();
  const measured = { ...io, cpu, bundles, run: describeRun({ quick: settings.quick, startLoad, durationSeconds: (performance.now() - started) / 1_000 }) };
  const results: BenchResults = { ...measured, settings, targets: checkTargets(measured) };
  console.log(renderText(buildTables(results)));
  for (const [library, run] of Object.entries(results.exactlyOnce)) {
    for (const [key, times] of Object.entries(run.doubleExecutions)) console.log(`FAILURE: ${library} ran the handler ${times} times for key ${key}`);
  }
  console.log(`\nWritten to ${await writeResults(results)}`);
  // Our own double execution is a defect and fails the command; Powertools' are findings, reported above.
  if (Object.keys(results.exactlyOnce.ours.doubleExecutions).length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  endProgress();
  console.error(`npm run bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
});
