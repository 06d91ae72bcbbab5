import type { Duration } from 'aws-cdk-lib';
import { type Alarm, AlarmStatusWidget, Dashboard, GraphWidget, type IWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { idempotencyMetricNames, outcomeMetricNames } from '../idempotency/index.js';
import { outcomeCount, replayPercent, storeLatency, tableThrottles, type FunctionMetricsScope } from './idempotency-metrics.js';

/** What {@link createIdempotencyDashboard} shows. */
export interface IdempotencyDashboardProps {
  readonly dashboardName: string | undefined;
  readonly alarms: readonly Alarm[];
  readonly functions: readonly FunctionMetricsScope[];
  readonly table: ITable;
  readonly period: Duration;
}

const fullWidth = 24;
const graphHeight = 6;
const countNames = [...Object.values(outcomeMetricNames), idempotencyMetricNames.waited];

/**
 * A dashboard that answers an operator's first questions: which alarms fire, what each function's requests turned into
 * (outcome counts), how many were replays, how fast the store answers, and whether DynamoDB throttles the table.
 */
export function createIdempotencyDashboard(scope: Construct, id: string, props: IdempotencyDashboardProps): Dashboard {
  const perFunction = props.functions.flatMap((metrics): IWidget[] => {
    const title = metrics.fn.functionName;
    return [
      new GraphWidget({
        title: `${title}: outcomes per minute`,
        left: countNames.map((name) => outcomeCount(metrics, name)),
        width: 12,
        height: graphHeight,
        stacked: true,
      }),
      new GraphWidget({
        title: `${title}: replay ratio and store latency`,
        left: [replayPercent(metrics)],
        leftYAxis: { min: 0, max: 100, label: '%', showUnits: false },
        right: [storeLatency(metrics, 'p50'), storeLatency(metrics, 'p99')],
        rightYAxis: { min: 0, label: 'ms', showUnits: false },
        width: 12,
        height: graphHeight,
      }),
    ];
  });
  const dashboard = new Dashboard(scope, id, { dashboardName: props.dashboardName });
  dashboard.addWidgets(new AlarmStatusWidget({ title: 'Idempotency alarms', alarms: [...props.alarms], width: fullWidth }));
  for (let index = 0; index < perFunction.length; index += 2) dashboard.addWidgets(...perFunction.slice(index, index + 2));
  dashboard.addWidgets(
    new GraphWidget({ title: 'Idempotency table: throttle events', left: [tableThrottles(props.table, props.period)], width: fullWidth, height: graphHeight }),
  );
  return dashboard;
}
