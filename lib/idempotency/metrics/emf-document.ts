import type { IdempotencyOutcome } from '../outcome.js';
import { idempotencyMetricNames, outcomeMetricNames } from './metric-names.js';

/** The EMF specification's cap on the values of one metric in one document. */
export const maxValuesPerMetric = 100;

/** What one invocation reported, summed: counts by metric name and the durations, in report order. */
export interface OutcomeTally {
  readonly counts: Map<string, number>;
  readonly storeLatencyMs: number[];
  readonly waitTimeMs: number[];
}

/** Where the document goes and how it is labelled. */
export interface EmfTarget {
  readonly metricNamespace: string;
  readonly functionName: string;
  /** The idempotency namespace; '' leaves the Namespace dimension out (a dimension value cannot be empty). */
  readonly namespace: string;
  readonly timestampMs: number;
}

/** An empty tally. */
export const createOutcomeTally = (): OutcomeTally => ({ counts: new Map(), storeLatencyMs: [], waitTimeMs: [] });

const push = (values: number[], value: number) => {
  // Counts stay exact; past the cap only the durations' sample stops growing (percentiles stay meaningful).
  if (values.length < maxValuesPerMetric) values.push(value);
};

const count = (tally: OutcomeTally, name: string) => tally.counts.set(name, (tally.counts.get(name) ?? 0) + 1);

/** Adds one outcome to `tally`. A skip or a local-cache replay made no store call, so it has no store latency. */
export function tallyOutcome(tally: OutcomeTally, outcome: IdempotencyOutcome): void {
  count(tally, outcomeMetricNames[outcome.type]);
  if (outcome.waitedMs !== undefined) {
    count(tally, idempotencyMetricNames.waited);
    push(tally.waitTimeMs, outcome.waitedMs);
  } else if (outcome.type !== 'skipped' && outcome.fromCache !== true) {
    push(tally.storeLatencyMs, outcome.durationMs);
  }
}

/**
 * The CloudWatch Embedded Metric Format document of `tally`, as one line of JSON: the `_aws` metadata (timestamp,
 * namespace, dimension sets, each metric's name and unit) and, at the root, the dimension values and metric values
 * it points at. Only metrics with a value are listed. Undefined when the tally is empty: nothing to write.
 */
export function toEmfLine(tally: OutcomeTally, target: EmfTarget): string | undefined {
  const { functionNameDimension, namespaceDimension } = idempotencyMetricNames;
  const values: Record<string, number | number[]> = Object.fromEntries(tally.counts);
  const units: Record<string, string> = Object.fromEntries([...tally.counts.keys()].map((name) => [name, 'Count']));
  for (const [name, durations] of [
    [idempotencyMetricNames.storeLatency, tally.storeLatencyMs],
    [idempotencyMetricNames.waitTime, tally.waitTimeMs],
  ] as const) {
    if (durations.length === 0) continue;
    values[name] = durations;
    units[name] = 'Milliseconds';
  }
  if (Object.keys(values).length === 0) return undefined;
  const withNamespace = target.namespace !== '';
  const dimensions = withNamespace ? [[functionNameDimension], [functionNameDimension, namespaceDimension]] : [[functionNameDimension]];
  const directive = {
    Namespace: target.metricNamespace,
    Dimensions: dimensions,
    Metrics: Object.entries(units).map(([Name, Unit]) => ({ Name, Unit })),
  };
  return JSON.stringify({
    _aws: { Timestamp: target.timestampMs, CloudWatchMetrics: [directive] },
    [functionNameDimension]: target.functionName,
    ...(withNamespace ? { [namespaceDimension]: target.namespace } : {}),
    ...values,
  });
}
