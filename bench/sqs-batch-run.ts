import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { startDynamoDBLocal } from '../lib/local/dynamodb-local.js';
import { batchSubjects, measureSqsBatches, type BatchRow } from './sqs-batch.js';

// `npm run bench:sqs [-- --quick]`: SQS batches through our batch handler and Powertools' BatchProcessor, on DynamoDB Local.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const resultsPath = new URL('./results/sqs-batch.md', import.meta.url);
const networkDelaysMs = [0, 5] as const;

const formatMs = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));

function renderRows(rows: readonly BatchRow[]): string {
  const header = `| Batch | ${batchSubjects.map((subject) => `${subject}: ms (calls)`).join(' | ')} | ours/powertools | ours/one at a time |`;
  const lines = rows.map((row) => {
    const cells = batchSubjects.map((subject) => `${formatMs(row.wallMs[subject])} (${row.calls[subject]})`);
    const ratio = (other: (typeof batchSubjects)[number]) => `${(row.wallMs.ours / row.wallMs[other]).toFixed(2)}×`;
    return `| ${row.batchSize} ${row.delivery} | ${cells.join(' | ')} | ${ratio('powertools')} | ${ratio('ours, one at a time')} |`;
  });
  return [header, `|${' --- |'.repeat(batchSubjects.length + 3)}`, ...lines].join('\n');
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const startLoad = loadavg()[0] as number;
  const local = await startDynamoDBLocal();
  const sections: string[] = [];
  try {
    for (const networkDelayMs of networkDelaysMs) {
      const rows = await measureSqsBatches(local.endpoint, { batchSizes: [10, 100], rounds: quick ? 3 : 9, networkDelayMs });
      const title = networkDelayMs === 0 ? 'DynamoDB Local on loopback' : `DynamoDB Local with ${networkDelayMs} ms added to every call (a network round trip)`;
      sections.push(`### ${title}\n\n${renderRows(rows)}`);
      console.log(sections.at(-1));
    }
  } finally {
    await local.stop();
  }
  const run = `Median wall time per batch over ${quick ? 3 : 9} rounds, DynamoDB calls per batch in brackets. ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, load ${startLoad.toFixed(1)}→${(loadavg()[0] as number).toFixed(1)}, ${new Date().toISOString().slice(0, 10)}.`;
  if (!quick) await writeFile(resultsPath, `# SQS batches\n\n${run}\n\n${sections.join('\n\n')}\n`);
  console.log(`\n${run}`);
}

main().catch((error: unknown) => {
  console.error(`npm run bench:sqs failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 2;
});
