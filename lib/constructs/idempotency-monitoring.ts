import { Duration, Names } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type Dashboard, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { outcomeMetricNames, outcomeMetricsDefaults } from '../idempotency/index.js';
import { requireNonEmptyString, requirePositiveNumber, stripUndefined } from '../idempotency/option-checks.js';
import { createIdempotencyDashboard } from './idempotency-dashboard.js';
import { inProgressPercent, outcomeCount, storeFailures, tableThrottles, type FunctionMetricsScope } from './idempotency-metrics.js';
import { IdempotencyTable } from './idempotency-table.js';

/** The default values of {@link IdempotencyMonitoringProps}. */
export const idempotencyMonitoringDefaults = {
  metricNamespace: outcomeMetricsDefaults.metricNamespace,
  storeFailuresPerMinute: 1,
  leasesLostPerMinute: 1,
  inProgressPercent: 10,
  inProgressMinimumRequests: 10,
  throttleEventsPerMinute: 1,
} as const;

/** Props of {@link IdempotencyMonitoring}. */
export interface IdempotencyMonitoringProps {
  /** The idempotency table: its throttling raises an alarm. */
  readonly table: IdempotencyTable | ITable;
  /** The functions that report their outcomes with `createOutcomeMetrics`; each gets its alarms and dashboard graphs. */
  readonly functions: readonly IFunction[];
  /** Notified when an alarm fires and when it is OK again. @default undefined: the alarms show in the console only */
  readonly alarmTopic?: ITopic;
  /** The CloudWatch namespace `createOutcomeMetrics` writes to (its `metricNamespace`). @default 'LambdaIdempotency' */
  readonly metricNamespace?: string;
  /** Failed store calls (`StoreError` + `Corrupt`) in a minute that count as the store failing. @default 1 */
  readonly storeFailuresPerMinute?: number;
  /** Lost leases (`LeaseLost`) in a minute that count as leases being lost. @default 1 */
  readonly leasesLostPerMinute?: number;
  /** The percent of keyed requests refused as in progress (`InProgress`) that counts as unusual. @default 10 */
  readonly inProgressPercent?: number;
  /** The keyed requests a minute needs before its in-progress percent counts. @default 10 */
  readonly inProgressMinimumRequests?: number;
  /** DynamoDB throttle events on the table in a minute that count as throttling. @default 1 */
  readonly throttleEventsPerMinute?: number;
  /** The dashboard's name. @default a name CloudFormation generates */
  readonly dashboardName?: string;
}

// Every alarm reads one-minute datapoints over five minutes: EMF metrics can land late, so "M out of 5" (AWS's advice
// for EMF alarms) still fires within five minutes of the trouble starting.
const period = Duration.minutes(1);
const evaluationPeriods = 5;

/**
 * CloudWatch alarms and a dashboard over the metrics `createOutcomeMetrics` writes and the idempotency table's own.
 *
 * Per function: the store is failing (failures in 2 of 5 minutes), leases are being lost (in 1 of 5), duplicates are
 * refused as in progress at an unusual rate (3 of 5); for the table: it is throttled (2 of 5). Missing data is not
 * breaching (counts are written only above zero). The dashboard shows the alarms, the outcome counts, the replay ratio,
 * the store latency (p50, p99) and the table's throttling.
 * @throws {TypeError} naming a threshold that is not a positive number, or an empty `metricNamespace`.
 * @example
 * ```ts
 * import { App, Stack } from 'aws-cdk-lib';
 * import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
 * import { Topic } from 'aws-cdk-lib/aws-sns';
 * import { IdempotencyMonitoring, IdempotencyTable } from 'lambda-idempotency/cdk';
 *
 * const stack = new Stack(new App(), 'Payments');
 * const table = new IdempotencyTable(stack, 'Idempotency');
 * const charge = new NodejsFunction(stack, 'Charge', { entry: 'src/charge.ts' });
 * new IdempotencyMonitoring(stack, 'Monitoring', { table, functions: [charge], alarmTopic: new Topic(stack, 'Alarms') });
 * ```
 */
export class IdempotencyMonitoring extends Construct {
  /** Every alarm: three per function, then the table's throttling alarm. */
  readonly alarms: readonly Alarm[];
  /** The dashboard: alarms, outcome counts, replay ratio, store latency and table throttling. */
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: IdempotencyMonitoringProps) {
    super(scope, id);
    const settings = { ...idempotencyMonitoringDefaults, ...stripUndefined(props) };
    requireNonEmptyString('metricNamespace', settings.metricNamespace);
    for (const threshold of thresholdProps) requirePositiveNumber(threshold, settings[threshold]);
    const table = props.table instanceof IdempotencyTable ? props.table.table : props.table;
    const scopes = props.functions.map((fn, index): FunctionMetricsScope => ({ fn, metricNamespace: settings.metricNamespace, period, idSuffix: `${index}` }));

    const alarm = (alarmId: string, metric: IMetric, threshold: number, datapointsToAlarm: number, description: string) => {
      const created = new Alarm(this, alarmId, {
        metric,
        threshold,
        evaluationPeriods,
        datapointsToAlarm,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: `${description} (${datapointsToAlarm} of ${evaluationPeriods} minutes). See the lambda-idempotency README, Operations.`,
      });
      if (props.alarmTopic !== undefined) {
        created.addAlarmAction(new SnsAction(props.alarmTopic));
        created.addOkAction(new SnsAction(props.alarmTopic));
      }
      return created;
    };

    const alarms = scopes.flatMap((metrics) => {
      const name = Names.nodeUniqueId(metrics.fn.node);
      const fn = metrics.fn.functionName;
      return [
        alarm(`${name}StoreFailing`, storeFailures(metrics), settings.storeFailuresPerMinute, 2, `Idempotency store calls of ${fn} are failing`),
        alarm(
          `${name}LeasesLost`,
          outcomeCount(metrics, outcomeMetricNames['lease-lost']),
          settings.leasesLostPerMinute,
          1,
          `Idempotency leases of ${fn} were taken over before completion`,
        ),
        alarm(
          `${name}InProgressRate`,
          inProgressPercent(metrics, settings.inProgressMinimumRequests),
          settings.inProgressPercent,
          3,
          `Duplicates to ${fn} refused as in progress above ${settings.inProgressPercent}%`,
        ),
      ];
    });
    alarms.push(
      alarm('TableThrottled', tableThrottles(table, period), settings.throttleEventsPerMinute, 2, `Idempotency table ${table.tableName} is throttled`),
    );
    this.alarms = alarms;
    this.dashboard = createIdempotencyDashboard(this, 'Dashboard', { dashboardName: props.dashboardName, alarms, functions: scopes, table, period });
  }
}

const thresholdProps = ['storeFailuresPerMinute', 'leasesLostPerMinute', 'inProgressPercent', 'inProgressMinimumRequests', 'throttleEventsPerMinute'] as const;
