import { formatBytes, formatMicros, formatRate, formatRatio } from './format.js';
import { inProgressWaitSummaryRow, inProgressWaitTable } from './in-progress-wait-report.js';
import { latencyPaths } from './latency.js';
import type { Table } from './report-table.js';
import type { BenchResults } from './results.js';
import { roundTripTargets, type RoundTripPath } from './round-trips.js';
import type { Percentiles } from './stats.js';
import { storePaths, type StorePath, type StoreRow } from './stores.js';

type Library = 'ours' | 'powertools';
// A median of per-round ratios can differ from the ratio of the two medians: it is the one that cancels drift in load.
const ratioHeader = 'Ours/Powertools (median of per-round ratios)';
const spread = (p: Percentiles) => `${formatMicros(p.p50)} / ${formatMicros(p.p90)} / ${formatMicros(p.p99)}`;
const ratios = (p: Percentiles) => `${formatRatio(p.p50)} / ${formatRatio(p.p90)} / ${formatRatio(p.p99)}`;

/** The report's tables: the summary, each measurement in the issue's order, then the targets. */
export function buildTables(results: BenchResults): Table[] {
  return [
    buildSummary(results),
    latencyTable(results),
    callsTable(results),
    throughputTable(results),
    exactlyOnceTable(results),
    placedOrderTable(results),
    storesTable(results),
    stepCostTable(results),
    inProgressWaitTable(results.inProgressWait),
    cpuTable(results),
    bundleTable(results),
    targetsTable(results),
  ];
}

function latencyTable({ latency, run }: BenchResults): Table {
  return {
    title: `Latency per invocation, sequential (p50 / p90 / p99, medians over rounds, ${run.mode} run)`,
    headers: ['Path', 'Ours', 'Powertools', ratioHeader],
    rows: [
      ...latencyPaths.map((path) => [path, spread(latency.paths[path].ours), spread(latency.paths[path].powertools), ratios(latency.paths[path].ratio)]),
      ['bare handler (Middy, no idempotency)', spread(latency.references['bare-handler']), '', ''],
      ['floor: one raw conditional PutItem', spread(latency.references['raw-put']), '', ''],
      ['floor: the same PutItem, rejected (ALL_OLD)', spread(latency.references['raw-put-rejected']), '', ''],
      ['floor: raw PutItem + UpdateItem', spread(latency.references['raw-put-update']), '', ''],
    ],
  };
}

function callsTable({ roundTrips }: BenchResults): Table {
  const cell = (path: RoundTripPath, library: Library) => {
    const { commands, outcome } = roundTrips[path][library];
    return `${commands.length} (${commands.join(', ') || 'none'}) → ${outcome}`;
  };
  return {
    title: "DynamoDB calls per invocation (counted on each client's middleware stack)",
    headers: ['Path', 'Floor', 'Ours', 'Powertools'],
    rows: Object.entries(roundTripTargets).map(([path, floor]) => [
      path,
      String(floor),
      cell(path as RoundTripPath, 'ours'),
      cell(path as RoundTripPath, 'powertools'),
    ]),
  };
}

function throughputTable({ throughput }: BenchResults): Table {
  return {
    title: 'Throughput, distinct keys (invocations per second, medians over rounds)',
    headers: ['Concurrency', 'Ours', 'Powertools', ratioHeader, 'Failed (ours / Powertools)'],
    rows: Object.entries(throughput).map(([concurrency, row]) => [
      concurrency.slice(1),
      formatRate(row.ours),
      formatRate(row.powertools),
      formatRatio(row.ratio),
      `${row.failed.ours} / ${row.failed.powertools}`,
    ]),
  };
}

function exactlyOnceTable({ exactlyOnce }: BenchResults): Table {
  return {
    title: 'Exactly-once under concurrency (handler executions counted per key)',
    headers: ['Library', 'Keys × duplicates', 'Executions', 'Keys run twice or more', 'Wrong replays', 'Outcomes'],
    rows: Object.entries(exactlyOnce).map(([library, run]) => [
      library,
      `${run.keys} × ${run.duplicatesPerKey}`,
      String(run.executions),
      String(Object.keys(run.doubleExecutions).length),
      String(run.wrongReplays),
      Object.entries(run.outcomes)
        .map(([outcome, count]) => `${outcome} ${count}`)
        .join(', '),
    ]),
  };
}

function placedOrderTable({ placedOrder, paidOrder }: BenchResults): Table {
  const commands = (order: typeof placedOrder, library: Library) => `${order[library].commands.length} (${order[library].commands.join(', ')})`;
  return {
    title:
      'A placed order end to end: idempotency plus the order write (ours: completeWithTransaction; Powertools: its own PutItem); paid: a charge at a loopback payment provider first (ours: through step, with its derived key; Powertools: in the handler, with a key derived by hand)',
    headers: ['Figure', 'Ours', 'Powertools', ratioHeader],
    rows: [
      ['DynamoDB round trips', commands(placedOrder, 'ours'), commands(placedOrder, 'powertools'), ''],
      ['latency p50 / p90 / p99', spread(placedOrder.ours.latency), spread(placedOrder.powertools.latency), ratios(placedOrder.ratio)],
      ['paid: DynamoDB round trips (+ 1 provider call)', commands(paidOrder, 'ours'), commands(paidOrder, 'powertools'), ''],
      ['paid: latency p50 / p90 / p99', spread(paidOrder.ours.latency), spread(paidOrder.powertools.latency), ratios(paidOrder.ratio)],
    ],
  };
}

function stepCostTable({ stepCost }: BenchResults): Table {
  return {
    title: 'One completed step (its function returns at once) beside its floor, the same fenced UpdateItem sent raw (p50 / p90 / p99)',
    headers: ['Figure', 'Latency', 'Step/floor (median of per-round p50 ratios)'],
    rows: [
      ['step', spread(stepCost.step), formatRatio(stepCost.ratio)],
      ['floor: raw fenced UpdateItem', spread(stepCost.rawFencedWrite), ''],
    ],
  };
}

function storesTable({ stores, run }: BenchResults): Table {
  const cell = (row: StoreRow, path: StorePath) => {
    const latency = row.latency[path];
    const { commands, outcome } = row.calls[path];
    const timed = latency === undefined ? 'not timed' : formatMicros(latency.p50);
    return `${timed}, ${commands.length} (${commands.join(', ') || 'none'})${outcome === 'returned' ? '' : ` → ${outcome}`}`;
  };
  return {
    title: `Stores side by side: p50 latency and round trips per invocation (sequential, medians over rounds, ${run.mode} run; DynamoDB Local and redis-server on this machine)`,
    headers: ['Store', ...storePaths],
    rows: Object.entries(stores).map(([subject, row]) => [subject, ...storePaths.map((path) => cell(row, path))]),
  };
}

function cpuTable({ cpu }: BenchResults): Table {
  return {
    title: `Middleware CPU per call, ${cpu.client} (median µs beyond the bare handler's ${formatMicros(cpu.bareHandler)})`,
    headers: ['Path', 'Ours', 'Powertools', ratioHeader],
    rows: Object.entries(cpu.paths).map(([path, row]) => [path, formatMicros(row.ours), formatMicros(row.powertools), formatRatio(row.ratio)]),
  };
}

function bundleTable({ bundles }: BenchResults): Table {
  return {
    title: 'Cold start: minified ESM bundle, AWS SDK external (import: median of fresh node processes)',
    headers: ['Bundle', 'Minified', 'Gzip', 'Import', 'Added minified', 'Added gzip'],
    rows: Object.entries(bundles.bundles).map(([name, figures]) => {
      const added = name === 'bare' ? undefined : bundles.added[name as Library];
      return [
        name,
        formatBytes(figures.rawBytes),
        formatBytes(figures.gzipBytes),
        `${figures.importMs.toFixed(0)} ms`,
        added ? formatBytes(added.rawBytes) : '',
        added ? formatBytes(added.gzipBytes) : '',
      ];
    }),
  };
}

function targetsTable({ targets }: BenchResults): Table {
  return {
    title: 'Targets (reported, not asserted)',
    headers: ['Target', 'Measured', 'Met'],
    rows: targets.map((check) => [check.target, check.measured, check.met ? 'yes' : 'MISSED']),
  };
}

/** One table of the headline figures, ours beside Powertools, for the README and the top of `latest.md`. */
export function buildSummary(results: BenchResults): Table {
  const { latency, roundTrips, throughput, exactlyOnce, cpu, bundles } = results;
  const p50 = (path: (typeof latencyPaths)[number]) => [
    `${path} latency, p50`,
    formatMicros(latency.paths[path].ours.p50),
    formatMicros(latency.paths[path].powertools.p50),
    formatRatio(latency.paths[path].ratio.p50),
  ];
  const calls = (library: Library) =>
    Object.keys(roundTripTargets)
      .map((path) => roundTrips[path as RoundTripPath][library].commands.length)
      .join(' / ');
  const doubles = (library: Library) => String(Object.keys(exactlyOnce[library].doubleExecutions).length);
  const added = (library: Library) => `${formatBytes(bundles.added[library].rawBytes)} (${formatBytes(bundles.added[library].gzipBytes)} gzip)`;
  return {
    title: 'Summary',
    headers: ['Figure', 'Ours', 'Powertools', 'Ours/Powertools'],
    rows: [
      ...latencyPaths.map(p50),
      ...Object.entries(throughput).map(([concurrency, row]) => [
        `throughput at concurrency ${concurrency.slice(1)}`,
        formatRate(row.ours),
        formatRate(row.powertools),
        formatRatio(row.ratio),
      ]),
      ['DynamoDB calls: first / duplicate / cached / in progress / handler error', calls('ours'), calls('powertools'), ''],
      [
        'placed order end to end, p50 (DynamoDB round trips)',
        `${formatMicros(results.placedOrder.ours.latency.p50)} (${results.placedOrder.ours.commands.length})`,
        `${formatMicros(results.placedOrder.powertools.latency.p50)} (${results.placedOrder.powertools.commands.length})`,
        formatRatio(results.placedOrder.ratio.p50),
      ],
      [
        'paid order (a provider charge first) end to end, p50 (DynamoDB round trips)',
        `${formatMicros(results.paidOrder.ours.latency.p50)} (${results.paidOrder.ours.commands.length})`,
        `${formatMicros(results.paidOrder.powertools.latency.p50)} (${results.paidOrder.powertools.commands.length})`,
        formatRatio(results.paidOrder.ratio.p50),
      ],
      [
        'one step, p50 (floor: the raw fenced UpdateItem)',
        `${formatMicros(results.stepCost.step.p50)} (floor ${formatMicros(results.stepCost.rawFencedWrite.p50)}, ${formatRatio(results.stepCost.ratio)})`,
        '',
        '',
      ],
      inProgressWaitSummaryRow(results.inProgressWait),
      [
        `keys run twice (${exactlyOnce.ours.keys} keys × ${exactlyOnce.ours.duplicatesPerKey} concurrent duplicates)`,
        doubles('ours'),
        doubles('powertools'),
        '',
      ],
      ...Object.entries(cpu.paths).map(([path, row]) => [
        `${path} middleware CPU (in-memory fake client)`,
        formatMicros(row.ours),
        formatMicros(row.powertools),
        formatRatio(row.ratio),
      ]),
      ['bytes added to a minified bundle', added('ours'), added('powertools'), formatRatio(bundles.ratio.rawBytes)],
      [
        'import time of that bundle (fresh node)',
        `${bundles.bundles.ours.importMs.toFixed(0)} ms`,
        `${bundles.bundles.powertools.importMs.toFixed(0)} ms`,
        formatRatio(bundles.ratio.importMs),
      ],
    ],
  };
}
