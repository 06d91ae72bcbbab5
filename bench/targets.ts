import { formatBytes, formatMicros, formatRatio } from './format.js';
import { checkInProgressWait } from './in-progress-wait-report.js';
import { latencyPaths } from './latency.js';
import type { BenchResults } from './results.js';
import { roundTripTargets, type RoundTripPath } from './round-trips.js';

/** One target of the issue, what this run measured for it, and whether it was met. */
export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

/** The floor a path's p50 may exceed by at most 15%. */
const floorSlack = 1.15;

/** Checks the run against the targets; reported, never asserted. */
export function checkTargets(results: Omit<BenchResults, 'targets' | 'settings'>): TargetCheck[] {
  const { latency, throughput, cpu, bundles, exactlyOnce, roundTrips } = results;
  const checks: TargetCheck[] = Object.entries(roundTripTargets).map(([path, floor]) => {
    const ours = roundTrips[path as RoundTripPath].ours.commands;
    return {
      target: `${path}: ${floor} round trip${floor === 1 ? '' : 's'}`,
      measured: `${ours.length} (${ours.join(', ') || 'none'})`,
      met: ours.length === floor,
    };
  });
  for (const path of latencyPaths) {
    const { ratio } = latency.paths[path];
    const worst = Math.max(ratio.p50, ratio.p90, ratio.p99);
    checks.push({
      target: `${path} latency ≤ Powertools (p50/p90/p99)`,
      measured: [ratio.p50, ratio.p90, ratio.p99].map(formatRatio).join(' / '),
      met: worst <= 1,
    });
  }
  for (const [concurrency, row] of Object.entries(throughput)) {
    checks.push({ target: `throughput at ${concurrency.slice(1)} ≥ Powertools`, measured: formatRatio(row.ratio), met: row.ratio >= 1 });
  }
  const twoWrites = latency.references['raw-put-update'].p50;
  const oneWrite = latency.references['raw-put'].p50;
  const oneRejectedWrite = latency.references['raw-put-rejected'].p50;
  const firstCall = latency.paths['first-call'].ours.p50;
  const duplicate = latency.paths.duplicate.ours.p50;
  checks.push(
    {
      target: 'first-call p50 ≤ 1.15 × two raw writes',
      measured: `${formatMicros(firstCall)} = ${formatRatio(firstCall / twoWrites)} of ${formatMicros(twoWrites)}`,
      met: firstCall <= floorSlack * twoWrites,
    },
    {
      target: 'duplicate p50 ≤ 1.15 × one raw write',
      measured: `${formatMicros(duplicate)} = ${formatRatio(duplicate / oneWrite)} of ${formatMicros(oneWrite)}`,
      met: duplicate <= floorSlack * oneWrite,
    },
    {
      target: 'duplicate p50 ≤ 1.15 × one raw rejected write',
      measured: `${formatMicros(duplicate)} = ${formatRatio(duplicate / oneRejectedWrite)} of ${formatMicros(oneRejectedWrite)}`,
      met: duplicate <= floorSlack * oneRejectedWrite,
    },
  );
  for (const [path, row] of Object.entries(cpu.paths)) {
    checks.push({
      target: `${path} middleware CPU ≤ ½ Powertools'`,
      measured: `${formatMicros(row.ours)} vs ${formatMicros(row.powertools)} = ${formatRatio(row.ratio)}`,
      met: row.ratio <= 0.5,
    });
  }
  const added = bundles.added;
  checks.push(
    {
      target: "bytes added ≤ ⅓ of Powertools' (minified)",
      measured: `${formatBytes(added.ours.rawBytes)} vs ${formatBytes(added.powertools.rawBytes)} = ${formatRatio(bundles.ratio.rawBytes)}`,
      met: bundles.ratio.rawBytes <= 1 / 3,
    },
    {
      target: "bytes added ≤ ⅓ of Powertools' (gzip)",
      measured: `${formatBytes(added.ours.gzipBytes)} vs ${formatBytes(added.powertools.gzipBytes)} = ${formatRatio(bundles.ratio.gzipBytes)}`,
      met: bundles.ratio.gzipBytes <= 1 / 3,
    },
    {
      target: "import time ≤ Powertools'",
      measured: `${bundles.bundles.ours.importMs.toFixed(0)} ms vs ${bundles.bundles.powertools.importMs.toFixed(0)} ms`,
      met: bundles.ratio.importMs <= 1,
    },
  );
  checks.push(...checkInProgressWait(results.inProgressWait));
  for (const [library, run] of Object.entries(exactlyOnce)) {
    const doubles = Object.keys(run.doubleExecutions).length;
    checks.push({ target: `${library}: zero double executions`, measured: `${doubles} of ${run.keys} keys ran twice or more`, met: doubles === 0 });
  }
  return checks;
}
