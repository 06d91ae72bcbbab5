import { formatRatio } from './format.js';
import type { Table } from './report-table.js';
import { batchSubjects, type BatchRow, type BatchSubject } from './sqs-batch.js';
import { median, medianInterval, type MedianInterval } from './stats.js';

const formatMs = (ms: number) => {
  const digits = ms < 10 ? 2 : 1;
  return `${ms.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })} ms`;
};
const batchName = (row: BatchRow) => `${row.batchSize} ${row.delivery}`;

/**
 * `ours` over `other`, round by round, as `0.91× [0.85–0.97]`: the median of the per-round ratios and the interval
 * of that median (see `medianInterval`). A ratio of one round compares two batches of the same round, seconds apart,
 * so the load's drift over the run cancels; the interval says how far the median can move with the noise left.
 */
function pairedRatio(ours: readonly (number | undefined)[], other: readonly (number | undefined)[]): MedianInterval & { median: number; text: string } {
  const ratios = ours.flatMap((ms, round) => (ms === undefined || other[round] === undefined ? [] : [ms / (other[round] as number)]));
  const interval = medianInterval(ratios);
  const middle = median(ratios);
  return { ...interval, median: middle, text: `${formatRatio(middle)} [${interval.low.toFixed(2)}–${interval.high.toFixed(2)}]` };
}

/**
 * `faster` when the whole interval of ours/powertools is below 1, `slower` when above, else `within noise`; no
 * verdict from an interval under 95 % confidence (a `--quick` run's few rounds).
 */
function verdict({ low, high, coverage }: MedianInterval): string {
  if (coverage < 0.95) return '(too few rounds to tell)';
  if (high < 1) return 'faster';
  if (low > 1) return 'slower';
  return 'within noise';
}

/** One network setting's table: median wall time per subject, and the paired ratios of ours to the two others. */
export function timesTable(title: string, rows: readonly BatchRow[]): Table {
  return {
    title,
    headers: ['Batch', ...batchSubjects, 'ours/powertools', 'ours/one at a time'],
    rows: rows.map((row) => {
      const vsPowertools = pairedRatio(row.wallMs.ours, row.wallMs.powertools);
      return [
        batchName(row),
        ...batchSubjects.map((subject) => formatMs(median(row.wallMs[subject].filter((ms) => ms !== undefined)))),
        `${vsPowertools.text} ${verdict(vsPowertools)}`,
        pairedRatio(row.wallMs.ours, row.wallMs['ours, one at a time']).text,
      ];
    }),
  };
}

/** The DynamoDB commands of one batch per subject, over every network setting (distinct ones joined by ` or `). */
export function commandsTable(sections: readonly (readonly BatchRow[])[]): Table {
  const byBatch = new Map<string, Map<BatchSubject, Set<string>>>();
  for (const row of sections.flat()) {
    const cells = byBatch.get(batchName(row)) ?? new Map(batchSubjects.map((subject) => [subject, new Set<string>()]));
    for (const subject of batchSubjects) cells.get(subject)?.add(row.commands[subject]);
    byBatch.set(batchName(row), cells);
  }
  const rows = [...byBatch].map(([batch, cells]) => [batch, ...batchSubjects.map((subject) => [...(cells.get(subject) ?? [])].join(' or '))]);
  return { title: 'DynamoDB calls per batch', headers: ['Batch', ...batchSubjects], rows };
}
