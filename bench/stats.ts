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

/** An interval around the median of a sample, and how often such an interval holds the true median. */
export interface MedianInterval {
  readonly low: number;
  readonly high: number;
  /** The probability (0–1) that an interval built this way holds the true median, whatever the distribution. */
  readonly coverage: number;
}

/**
 * The distribution-free interval of the median: the k-th smallest and k-th largest of `values`, with the largest k
 * whose coverage is still at least `confidence`. The count of values below the true median is binomial (n, ½), which
 * gives the coverage 1 − 2·P(X < k) without assuming anything about the values' distribution (no normality, no
 * resampling). With too few values for `confidence` (fewer than 6 for 95 %), it is the range, with its lower coverage.
 */
export function medianInterval(values: readonly number[], confidence = 0.95): MedianInterval {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { low: Number.NaN, high: Number.NaN, coverage: 0 };
  // below[j] = P(X < j + 1) = P(X ≤ j), for X ~ binomial(n, ½).
  const below: number[] = [];
  let term = 0.5 ** n;
  let sum = 0;
  for (let j = 0; j < n; j++) {
    sum += term;
    below.push(sum);
    term = (term * (n - j)) / (j + 1);
  }
  let k = 1;
  while (k < Math.ceil(n / 2) && 1 - 2 * (below[k] as number) >= confidence) k += 1;
  return { low: sorted[k - 1] as number, high: sorted[n - k] as number, coverage: 1 - 2 * (below[k - 1] as number) };
}
