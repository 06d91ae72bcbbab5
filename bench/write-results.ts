import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { BenchResults } from './results.js';
import { renderLatencySvg } from './svg.js';
import { renderMarkdown } from './report-table.js';
import { buildTables } from './tables.js';

/**
 * Writes `latest.json`, `latest.md` and `latency.svg` to `bench/results/` after a full run, or to
 * `bench/results/quick/` (ignored by git) after `--quick`, so a quick check never replaces the published figures.
 * Returns the folder written.
 */
export async function writeResults(results: BenchResults): Promise<string> {
  const folder = new URL(results.run.mode === 'full' ? './results/' : './results/quick/', import.meta.url);
  await mkdir(folder, { recursive: true });
  const { run } = results;
  const caption = `${run.date.slice(0, 10)}, ${run.mode} run, ${run.machine}, Node ${run.node}`;
  const versions = Object.entries(run.versions)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  const markdown = [
    `## Benchmark: lambda-idempotency vs Powertools idempotency`,
    '',
    `${caption}, commit ${run.commit}. ${versions}. Load average ${run.loadAverage[0].toFixed(1)} at the start, ${run.loadAverage[1].toFixed(1)} at the end; ${run.durationSeconds} s in all.`,
    'Reproduce with `npm run bench` (or `npm run bench -- --quick`).',
    '',
    renderMarkdown(buildTables(results)),
    '',
  ].join('\n');
  await writeFile(new URL('latest.json', folder), `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(new URL('latest.md', folder), markdown);
  await writeFile(new URL('latency.svg', folder), renderLatencySvg(results.latency, caption));
  return fileURLToPath(folder);
}
