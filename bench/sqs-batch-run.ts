import { randomInt } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { startDynamoDBLocal } from '../lib/local/dynamodb-local.js';
import { seededRandom } from '../test/support/seed.js';
import { endProgress } from './progress.js';
import { renderMarkdown, renderText, type Table } from './report-table.js';
import { measureSqsBatches, type BatchPlan, type SqsBatchOptions } from './sqs-batch.js';
import { commandsTable, timesTable } from './sqs-batch-report.js';
import { medianInterval } from './stats.js';

// `npm run bench:sqs [-- --quick]`: SQS batches through our batch handler and Powertools' BatchProcessor, on DynamoDB Local.
// `BENCH_SEED=<seed>` replays a run's order of subjects.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const resultsPath = new URL('./results/sqs-batch.md', import.meta.url);
const networkDelaysMs = [0, 5] as const;

function readSeed(value: string | undefined): number {
  if (value === undefined || value === '') return randomInt(1, 2 ** 31 - 1);
  const seed = Number(value);
  if (!Number.isSafeInteger(seed)) throw new TypeError(`Expected \`BENCH_SEED\` to be a whole number, got ${value}.`);
  return seed;
}

type RunPlan = Pick<SqsBatchOptions, 'batches' | 'warmupRounds'>;

// Batches of 10 cost a tenth of those of 100, and ours one at a time costs most of a round: the rounds go where they
// narrow the intervals most for the time.
const fullRun: RunPlan = {
  batches: [
    { size: 10, rounds: 75, oneAtATimeEvery: 3 },
    { size: 100, rounds: 75, oneAtATimeEvery: 5 },
  ],
  warmupRounds: 3,
};
const quickRun: RunPlan = {
  batches: [
    { size: 10, rounds: 9, oneAtATimeEvery: 1 },
    { size: 100, rounds: 3, oneAtATimeEvery: 1 },
  ],
  warmupRounds: 1,
};

const roundsTaken = ({ rounds, oneAtATimeEvery }: BatchPlan) => Math.ceil(rounds / oneAtATimeEvery);

function describeRun({ batches, warmupRounds }: RunPlan, seed: number, startLoad: number): string {
  const counts = [...new Set(batches.flatMap((plan) => [plan.rounds, roundsTaken(plan)]))];
  const confidence = counts.map((n) => `${(medianInterval(Array.from({ length: n }, (_, i) => i)).coverage * 100).toFixed(1)} % for ${n} rounds`);
  const plans = batches.map((plan) => `${plan.rounds} rounds of batches of ${plan.size} (ours, one at a time: ${roundsTaken(plan)} of them)`);
  return [
    `Each round sends one fresh batch to every subject new, in a random order, then to every subject redelivered (the same messages, \`ApproximateReceiveCount\` 2 instead of 1), in another random order. Per network setting, ${warmupRounds} warm-up round${warmupRounds === 1 ? '' : 's'} of the largest batch ${warmupRounds === 1 ? 'is' : 'are'} not counted, then ${plans.join(' and ')} are.`,
    `Times are the median wall time per batch over the counted rounds. A ratio is the median of the per-round ratios (the batches of one round ran seconds apart, under much the same load), with in brackets the interval that holds the true median with a confidence of ${confidence.join(', ')}, from order statistics, whatever the distribution: *faster* when that whole interval is below 1×, *slower* when above, *within noise* otherwise.`,
    `Seed ${seed} (\`BENCH_SEED=${seed} npm run bench:sqs\` replays the order). ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, load ${startLoad.toFixed(1)}→${(loadavg()[0] as number).toFixed(1)}, ${new Date().toISOString().slice(0, 10)}.`,
  ].join('\n\n');
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const { batches, warmupRounds } = quick ? quickRun : fullRun;
  const seed = readSeed(process.env.BENCH_SEED);
  console.log(`Seed ${seed} (replay: BENCH_SEED=${seed})`);
  const random = seededRandom(seed);
  const startLoad = loadavg()[0] as number;
  const local = await startDynamoDBLocal();
  const sections = [];
  const tables: Table[] = [];
  try {
    for (const networkDelayMs of networkDelaysMs) {
      const rows = await measureSqsBatches(local.endpoint, { batches, warmupRounds, networkDelayMs, random });
      sections.push(rows);
      tables.push(
        timesTable(
          networkDelayMs === 0 ? 'DynamoDB Local on loopback' : `DynamoDB Local with ${networkDelayMs} ms added to every call (a network round trip)`,
          rows,
        ),
      );
    }
  } finally {
    await local.stop();
    endProgress();
  }
  tables.push(commandsTable(sections));
  const run = describeRun({ batches, warmupRounds }, seed, startLoad);
  console.log(`${renderText(tables)}\n\n${run}`);
  if (!quick) await writeFile(resultsPath, `# SQS batches\n\n${run}\n\n${renderMarkdown(tables)}\n`);
}

main().catch((error: unknown) => {
  console.error(`npm run bench:sqs failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 2;
});
