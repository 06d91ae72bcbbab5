import { formatBytes, formatMicros, formatRate, formatRatio } from './format.js';
import { latencyPaths } from './latency.js';
import type { BenchResults } from './results.js';
import { roundTripTargets, type RoundTripPath } from './round-trips.js';
import type { Percentiles } from './stats.js';

/** One table of the report, rendered as text on stdout and as Markdown in `latest.md`. */
export interface Table {
  readonly title: string;
  readonly headers: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

const spread = (p: Percentiles) => `${formatMicros(p.p50)} / ${formatMicros(p.p90)} / ${formatMicros(p.p99)}`;
const ratios = (p: Percentiles) => `${formatRatio(p.p50)} / ${formatRatio(p.p90)} / ${formatRatio(p.p99)}`;

/** The report's tables: the summary, each measurement in the order, then the targets. */
export function buildTables(results: BenchResults): Table[] {
  const { latency, roundTrips, throughput, exactlyOnce, cpu, bundles } = results;
  const rounds = results.run.mode === 'quick' ? 'quick run' : 'full run';
  return [
    buildSummary(results),
    {
      title: `Latency per invocation, sequential (p50 / p90 / p99, medians over rounds, ${rounds})`,
      headers: ['Path', 'Ours', 'Powertools', 'Ours/Powertools'],
      rows: [
        ...latencyPaths.map((path) => [path, spread(latency.paths[path].ours), spread(latency.paths[path].powertools), ratios(latency.paths[path].ratio)]),
        ['bare handler (Middy, no idempotency)', spread(latency.references['bare-handler']), '', ''],
        ['floor: one raw conditional PutItem', spread(latency.references['raw-put']), '', ''],
        ['floor: the same PutItem, rejected (ALL_OLD)', spread(latency.references['raw-put-rejected']), '', ''],
        ['floor: raw PutItem + UpdateItem', spread(latency.references['raw-put-update']), '', ''],
      ],
    },
    {
      title: 'DynamoDB calls per invocation (counted on each client\'s middleware stack)',
      headers: ['Path', 'Floor', 'Ours', 'Powertools'],
      rows: Object.entries(roundTripTargets).map(([path, floor]) => {
        const row = roundTrips[path as RoundTripPath];
        const cell = (library: 'ours' | 'powertools') => `${row[library].commands.length} (${row[library].commands.join(', ') || 'none'}) → ${row[library].outcome}`;
        return [path, String(floor), cell('ours'), cell('powertools')];
      }),
    },
    {
      title: 'Throughput, distinct keys (invocations per second, medians over rounds)',
      headers: ['Concurrency', 'Ours', 'Powertools', 'Ours/Powertools', 'Failed (ours / Powertools)'],
      rows: Object.entries(throughput).map(([concurrency, row]) => [concurrency.slice(1), formatRate(row.ours), formatRate(row.powertools), formatRatio(row.ratio), `${row.failed.ours} / ${row.failed.powertools}`]),
    },
    {
      title: 'Exactly-once under concurrency (handler executions counted per key)',
      headers: ['Library', 'Keys × duplicates', 'Executions', 'Keys run twice or more', 'Wrong replays', 'Outcomes'],
      rows: Object.entries(exactlyOnce).map(([library, run]) => [
        library,
        `${run.keys} × ${run.duplicatesPerKey}`,
        String(run.executions),
        String(Object.keys(run.doubleExecutions).length),
        String(run.wrongReplays),
        Object.entries(run.outcomes).map(([outcome, count]) => `${outcome} ${count}`).join(', '),
      ]),
    },
    {
      title: `Middleware CPU per call, ${cpu.client} (median µs beyond the bare handler's ${formatMicros(cpu.bareHandler)})`,
      headers: ['Path', 'Ours', 'Powertools', 'Ours/Powertools'],
      rows: Object.entries(cpu.paths).map(([path, row]) => [path, formatMicros(row.ours), formatMicros(row.powertools), formatRatio(row.ratio)]),
    },
    {
      title: 'Cold start: minified ESM bundle, AWS SDK external (import: median of fresh node processes)',
      headers: ['Bundle', 'Minified', 'Gzip', 'Import', 'Added minified', 'Added gzip'],
      rows: Object.entries(bundles.bundles).map(([name, figures]) => {
        const added = name === 'bare' ? undefined : bundles.added[name as 'ours' | 'powertools'];
        return [name, formatBytes(figures.rawBytes), formatBytes(figures.gzipBytes), `${figures.importMs.toFixed(0)} ms`, added ? formatBytes(added.rawBytes) : '', added ? formatBytes(added.gzipBytes) : ''];
      }),
    },
    { title: 'Targets (reported, not asserted)', headers: ['Target', 'Measured', 'Met'], rows: results.targets.map((check) => [check.target, check.measured, check.met ? 'yes' : 'MISSED']) },
  ];
}

/** One table of the headline figures, ours beside Powertools, for the README and the top of `latest.md`. */
export function buildSummary(results: BenchResults): Table {
  const { latency, roundTrips, throughput, exactlyOnce, cpu, bundles } = results;
  const p50 = (path: (typeof latencyPaths)[number]) => [`${path} latency, p50`, formatMicros(latency.paths[path].ours.p50), formatMicros(latency.paths[path].powertools.p50), formatRatio(latency.paths[path].ratio.p50)];
  const calls = (library: 'ours' | 'powertools') => Object.keys(roundTripTargets).map((path) => roundTrips[path as RoundTripPath][library].commands.length).join(' / ');
  const doubles = (library: 'ours' | 'powertools') => String(Object.keys(exactlyOnce[library].doubleExecutions).length);
  const added = (library: 'ours' | 'powertools') => `${formatBytes(bundles.added[library].rawBytes)} (${formatBytes(bundles.added[library].gzipBytes)} gzip)`;
  return {
    title: 'Summary',
    headers: ['Figure', 'Ours', 'Powertools', 'Ours/Powertools'],
    rows: [
      ...latencyPaths.map(p50),
      ...Object.entries(throughput).map(([concurrency, row]) => [`throughput at concurrency ${concurrency.slice(1)}`, formatRate(row.ours), formatRate(row.powertools), formatRatio(row.ratio)]),
      ['DynamoDB calls: first / duplicate / cached / in progress / handler error', calls('ours'), calls('powertools'), ''],
      [`keys run twice (${exactlyOnce.ours.keys} keys × ${exactlyOnce.ours.duplicatesPerKey} concurrent duplicates)`, doubles('ours'), doubles('powertools'), ''],
      ...Object.entries(cpu.paths).map(([path, row]) => [`${path} middleware CPU (in-memory fake client)`, formatMicros(row.ours), formatMicros(row.powertools), formatRatio(row.ratio)]),
      ['bytes added to a minified bundle', added('ours'), added('powertools'), formatRatio(bundles.ratio.rawBytes)],
      ['import time of that bundle (fresh node)', `${bundles.bundles.ours.importMs.toFixed(0)} ms`, `${bundles.bundles.powertools.importMs.toFixed(0)} ms`, formatRatio(bundles.ratio.importMs)],
    ],
  };
}

/** Renders tables as aligned plain text for a terminal. */
export function renderText(tables: readonly Table[]): string {
  return tables
    .map((table) => {
      const lines = [table.headers, ...table.rows];
      const widths = table.headers.map((_, column) => Math.max(...lines.map((line) => (line[column] ?? '').length)));
      const format = (line: readonly string[]) => line.map((cell, column) => cell.padEnd(widths[column] as number)).join('  ').trimEnd();
      return [table.title, format(table.headers), widths.map((width) => '-'.repeat(width)).join('  '), ...table.rows.map(format)].join('\n');
    })
    .join('\n\n');
}

/** Renders tables as GitHub Markdown, each under a `###` heading. */
export function renderMarkdown(tables: readonly Table[]): string {
  const row = (cells: readonly string[]) => `| ${cells.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`;
  return tables.map((table) => [`### ${table.title}`, '', row(table.headers), row(table.headers.map(() => '---')), ...table.rows.map(row)].join('\n')).join('\n\n');
}
