import type { Duration } from 'aws-cdk-lib';
import { MathExpression, Metric, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { idempotencyMetricNames, outcomeMetricNames } from '../idempotency/index.js';

/** Where `createOutcomeMetrics` wrote a function's metrics, and the period to read them over. */
export interface FunctionMetricsScope {
  readonly fn: IFunction;
  readonly metricNamespace: string;
  readonly period: Duration;
  /** Makes the metric math ids unique when several functions share one graph. */
  readonly idSuffix: string;
}

/** The per-minute sum of one of a function's outcome counts (by its metric name), across all its namespaces. */
export function outcomeCount(scope: FunctionMetricsScope, metricName: string): Metric {
  return new Metric({
    namespace: scope.metricNamespace,
    metricName,
    dimensionsMap: { [idempotencyMetricNames.functionNameDimension]: scope.fn.functionName },
    statistic: Stats.SUM,
    period: scope.period,
    label: metricName,
  });
}

// Counts are written only when they are above zero: a missing datapoint is a zero, not a gap.
const filled = (id: string) => `FILL(${id}, 0)`;

/** Store calls that failed, `StoreError` plus `Corrupt` (an unreadable record), per period. */
export function storeFailures(scope: FunctionMetricsScope): MathExpression {
  const [errors, corrupt] = [`storeError${scope.idSuffix}`, `corrupt${scope.idSuffix}`];
  return new MathExpression({
    expression: `${filled(errors)} + ${filled(corrupt)}`,
    usingMetrics: { [errors]: outcomeCount(scope, outcomeMetricNames['store-error']), [corrupt]: outcomeCount(scope, outcomeMetricNames.corrupt) },
    period: scope.period,
    label: 'Store failures',
  });
}

/** The keyed requests that began: claimed, replayed or refused as in progress. */
const beginnings = (scope: FunctionMetricsScope) => {
  const ids = { claimed: `claimed${scope.idSuffix}`, replayed: `replayed${scope.idSuffix}`, inProgress: `inProgress${scope.idSuffix}` };
  return {
    ids,
    total: `(${filled(ids.claimed)} + ${filled(ids.replayed)} + ${filled(ids.inProgress)})`,
    usingMetrics: {
      [ids.claimed]: outcomeCount(scope, outcomeMetricNames.claimed),
      [ids.replayed]: outcomeCount(scope, outcomeMetricNames.replayed),
      [ids.inProgress]: outcomeCount(scope, outcomeMetricNames['in-progress']),
    },
  };
};

/** The percent of keyed requests refused as in progress; 0 below `minimumRequests` per period, where a few make no rate. */
export function inProgressPercent(scope: FunctionMetricsScope, minimumRequests: number): MathExpression {
  const { ids, total, usingMetrics } = beginnings(scope);
  return new MathExpression({
    expression: `IF(${total} >= ${minimumRequests}, 100 * ${filled(ids.inProgress)} / ${total}, 0)`,
    usingMetrics,
    period: scope.period,
    label: 'Refused in progress (%)',
  });
}

/** The percent of keyed requests answered with a stored result (replays) rather than a run; 0 without requests. */
export function replayPercent(scope: FunctionMetricsScope): MathExpression {
  const { ids, total, usingMetrics } = beginnings(scope);
  return new MathExpression({
    expression: `IF(${total} > 0, 100 * ${filled(ids.replayed)} / ${total}, 0)`,
    usingMetrics,
    period: scope.period,
    label: 'Replay ratio (%)',
  });
}

/** A percentile (e.g. `p99`) of the function's store call latency, in ms. */
export function storeLatency(scope: FunctionMetricsScope, statistic: string): Metric {
  return outcomeCount(scope, idempotencyMetricNames.storeLatency).with({ statistic, label: `Store latency ${statistic}` });
}

/** The throttle events DynamoDB reported for `table`, reads and writes (transactions included), per period. */
export function tableThrottles(table: ITable, period: Duration): MathExpression {
  return new MathExpression({
    expression: `${filled('readThrottles')} + ${filled('writeThrottles')}`,
    usingMetrics: {
      readThrottles: table.metric('ReadThrottleEvents', { statistic: Stats.SUM, period }),
      writeThrottles: table.metric('WriteThrottleEvents', { statistic: Stats.SUM, period }),
    },
    period,
    label: 'Throttle events',
  });
}
