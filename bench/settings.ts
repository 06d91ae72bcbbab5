/** How much work each measurement does; `--quick` trades precision for a run under two minutes. */
export interface BenchSettings {
  readonly quick: boolean;
  /** Rounds per measurement; each figure is the median over rounds. */
  readonly rounds: number;
  /** Untimed calls of every cell before the first round, so DynamoDB Local's JVM has compiled its hot paths. */
  readonly warmupPassCalls: number;
  /** Untimed calls before each latency sample, so JIT and sockets are warm. */
  readonly warmupCalls: number;
  /** Timed sequential calls per latency cell and round. */
  readonly latencyCalls: number;
  /** Invocations per throughput cell and round. */
  readonly throughputInvocations: number;
  readonly concurrencies: readonly number[];
  readonly exactlyOnceKeys: number;
  readonly duplicatesPerKey: number;
  /** Keys whose duplicates are in flight together in the exactly-once run. */
  readonly exactlyOnceKeysInFlight: number;
  /** Timed calls per CPU cell and round (in-memory client). */
  readonly cpuCalls: number;
  /** Fresh `node` processes per bundle for the import time. */
  readonly importRuns: number;
  /** First calls per subject with a duplicate arriving while they run (each takes about a quarter of a second). */
  readonly inProgressWaitSamples: number;
}

const full: BenchSettings = {
  quick: false,
  rounds: 7,
  warmupPassCalls: 200,
  warmupCalls: 30,
  latencyCalls: 300,
  throughputInvocations: 800,
  concurrencies: [16, 64],
  exactlyOnceKeys: 200,
  duplicatesPerKey: 20,
  exactlyOnceKeysInFlight: 10,
  cpuCalls: 5_000,
  importRuns: 21,
  inProgressWaitSamples: 21,
};

const quick: BenchSettings = {
  ...full,
  quick: true,
  rounds: 3,
  warmupPassCalls: 50,
  warmupCalls: 10,
  latencyCalls: 40,
  throughputInvocations: 150,
  // Fewer keys, the same 20 duplicates each: the race is per key, so 50 keys still show a double execution.
  exactlyOnceKeys: 50,
  cpuCalls: 1_000,
  importRuns: 5,
  inProgressWaitSamples: 7,
};

/** Reads `--quick` from the command line; any other argument is refused so that a typo does not run the full bench. */
export function readSettings(argv: readonly string[]): BenchSettings {
  const unknown = argv.filter((argument) => argument !== '--quick');
  if (unknown.length > 0) throw new TypeError(`Unknown argument ${unknown.join(' ')}; the only option is --quick.`);
  return argv.includes('--quick') ? quick : full;
}
