/** Latency percentiles of one sample, in microseconds. */
export interface Percentiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

/** The value at percentile `p` (0–100) of `values`, nearest-rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** The median of `values` (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** p50, p90 and p99 of one sample. */
export function summarize(samples: readonly number[]): Percentiles {
  return { p50: percentile(samples, 50), p90: percentile(samples, 90), p99: percentile(samples, 99) };
}

/** Each percentile's median over rounds: the figure a noisy shared machine can still repeat. */
export function medianOfRounds(rounds: readonly Percentiles[]): Percentiles {
  return { p50: median(rounds.map((r) => r.p50)), p90: median(rounds.map((r) => r.p90)), p99: median(rounds.map((r) => r.p99)) };
}

/** Microseconds elapsed while `call` ran. */
export async function timeMicros(call: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await call();
  return Number(process.hrtime.bigint() - started) / 1_000;
}
