import { afterAll, describe, expect, it } from '@jest/globals';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Stack } from 'aws-cdk-lib';
import { IdempotencyMonitoring, IdempotencyTable, type IdempotencyMonitoringProps } from '../../lib/constructs/index.js';
import { createOutcomeMetrics } from '../../lib/idempotency/index.js';
import { parseEmfLine } from '../support/emf-specification.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { createOutdir, createTestStack } from './cdk-template.js';

const cdkTimeoutMs = 60_000;
const out = createOutdir();
afterAll(() => out.remove());

type Resource = { Properties: Record<string, unknown> };
type AlarmMetric = {
  Id: string;
  Expression?: string;
  MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: unknown[] }; Period: number; Stat: string };
};

/** A stack with the table, two functions and a topic, monitored with `props`. */
function monitoredStack(props: Partial<IdempotencyMonitoringProps> = {}) {
  const stack = createTestStack(out.outdir);
  const table = new IdempotencyTable(stack, 'Idempotency');
  const functions = ['Charge', 'Refund'].map(
    (id) =>
      new LambdaFunction(stack, id, {
        runtime: Runtime.NODEJS_22_X,
        handler: 'index.handler',
        code: Code.fromInline('export const handler = async () => null;'),
      }),
  );
  const alarmTopic = new Topic(stack, 'Alarms');
  const monitoring = new IdempotencyMonitoring(stack, 'Monitoring', { table, functions, alarmTopic, ...props });
  return { stack, table, functions, alarmTopic, monitoring, template: Template.fromStack(stack) };
}

const logicalId = (stack: Stack, construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);
const alarmsOf = (template: Template) => Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Resource[];
const described = (template: Template, text: string) => {
  const alarm = alarmsOf(template).find((candidate) => JSON.stringify(candidate.Properties.AlarmDescription).includes(text));
  if (alarm === undefined) throw new Error(`No alarm described with ${text}`);
  return alarm.Properties as { Metrics?: AlarmMetric[]; MetricName?: string; [key: string]: unknown };
};
const metricStats = (alarm: { Metrics?: AlarmMetric[] }) =>
  (alarm.Metrics ?? []).flatMap((metric) => (metric.MetricStat === undefined ? [] : [metric.MetricStat]));

describe('IdempotencyMonitoring', () => {
  it(
    'creates three alarms per function and one for the table, each notifying the topic when it fires and when it is OK',
    () => {
      // Arrange
      const { stack, alarmTopic, monitoring, template } = monitoredStack();

      // Assert
      template.resourceCountIs('AWS::CloudWatch::Alarm', 7);
      expect(monitoring.alarms).toHaveLength(7);
      template.allResourcesProperties('AWS::CloudWatch::Alarm', {
        AlarmActions: [{ Ref: logicalId(stack, alarmTopic) }],
        OKActions: [{ Ref: logicalId(stack, alarmTopic) }],
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    },
    cdkTimeoutMs,
  );

  it('tells within five minutes: one-minute periods, five of them evaluated, for every alarm', () => {
    // Arrange
    const { template } = monitoredStack();

    // Assert
    for (const alarm of alarmsOf(template)) {
      const properties = alarm.Properties as { EvaluationPeriods: number; Period?: number; Metrics?: AlarmMetric[] };
      const periods = properties.Metrics === undefined ? [properties.Period] : metricStats(properties).map((stat) => stat.Period);
      expect(periods.every((period) => period === 60)).toBe(true);
      expect(properties.EvaluationPeriods * 60).toBeLessThanOrEqual(300);
    }
  });

  it('raises "store failing" on StoreError + Corrupt of the function, at 1 a minute in 2 of 5 minutes', () => {
    // Arrange
    const { stack, functions, template } = monitoredStack();

    // Act
    const alarm = described(template, 'store calls of');

    // Assert
    expect(alarm).toMatchObject({ Threshold: 1, EvaluationPeriods: 5, DatapointsToAlarm: 2 });
    expect(alarm.Metrics?.find((metric) => metric.Expression !== undefined)?.Expression).toBe('FILL(storeError0, 0) + FILL(corrupt0, 0)');
    expect(metricStats(alarm)).toEqual(
      ['StoreError', 'Corrupt'].map((MetricName) => ({
        Metric: { Namespace: 'LambdaIdempotency', MetricName, Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(stack, functions[0] as never) } }] },
        Period: 60,
        Stat: 'Sum',
      })),
    );
  });

  it('raises "leases lost" on any LeaseLost of the function, in 1 of 5 minutes', () => {
    // Arrange
    const { stack, functions, template } = monitoredStack();

    // Act
    const alarm = described(template, 'leases of');

    // Assert
    expect(alarm).toMatchObject({ Threshold: 1, EvaluationPeriods: 5, DatapointsToAlarm: 1 });
    expect(metricStats(alarm)).toEqual([
      {
        Metric: {
          Namespace: 'LambdaIdempotency',
          MetricName: 'LeaseLost',
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(stack, functions[0] as never) } }],
        },
        Period: 60,
        Stat: 'Sum',
      },
    ]);
  });

  it('raises "in progress" above 10% of claimed + replayed + in-progress requests, from 10 requests a minute, in 3 of 5 minutes', () => {
    // Arrange
    const { template } = monitoredStack();

    // Act
    const alarm = described(template, 'refused as in progress');

    // Assert
    expect(alarm).toMatchObject({ Threshold: 10, EvaluationPeriods: 5, DatapointsToAlarm: 3 });
    const total = '(FILL(claimed0, 0) + FILL(replayed0, 0) + FILL(inProgress0, 0))';
    expect(alarm.Metrics?.find((metric) => metric.Expression !== undefined)?.Expression).toBe(`IF(${total} >= 10, 100 * FILL(inProgress0, 0) / ${total}, 0)`);
    expect(metricStats(alarm).map((stat) => stat.Metric.MetricName)).toEqual(['Claimed', 'Replayed', 'InProgress']);
  });

  it('raises "table throttled" on the read and write throttle events of the idempotency table, in 2 of 5 minutes', () => {
    // Arrange
    const { stack, table, template } = monitoredStack();

    // Act
    const alarm = described(template, 'is throttled');

    // Assert
    expect(alarm).toMatchObject({ Threshold: 1, EvaluationPeriods: 5, DatapointsToAlarm: 2 });
    expect(metricStats(alarm)).toEqual(
      ['ReadThrottleEvents', 'WriteThrottleEvents'].map((MetricName) => ({
        Metric: { Namespace: 'AWS/DynamoDB', MetricName, Dimensions: [{ Name: 'TableName', Value: { Ref: logicalId(stack, table.table) } }] },
        Period: 60,
        Stat: 'Sum',
      })),
    );
  });

  it('reads the metric names, namespace and dimension that createOutcomeMetrics writes', async () => {
    // Arrange
    const { template } = monitoredStack();
    const lines: string[] = [];
    const metrics = createOutcomeMetrics({ namespace: 'charge', write: (line) => lines.push(line) });
    const outcomes = ['store-error', 'corrupt', 'lease-lost', 'claimed', 'replayed', 'in-progress'] as const;

    // Act
    await metrics.wrapHandler(async (_event: unknown, _context: unknown) => {
      for (const type of outcomes) metrics.onOutcome({ type, durationMs: 1 });
    })({}, createLambdaContext());

    // Assert
    const [directive] = parseEmfLine(lines[0] as string)._aws.CloudWatchMetrics;
    const alarmed = alarmsOf(template)
      .flatMap((alarm) => {
        const properties = alarm.Properties as { Namespace?: string; MetricName?: string; Metrics?: AlarmMetric[] };
        return properties.MetricName === undefined
          ? metricStats(properties).map((stat) => stat.Metric)
          : [properties as { Namespace: string; MetricName: string }];
      })
      .filter((metric) => metric.Namespace !== 'AWS/DynamoDB');
    for (const metric of alarmed) {
      expect(metric.Namespace).toBe(directive?.Namespace);
      expect(directive?.Metrics.map((written) => written.Name)).toContain(metric.MetricName);
    }
    expect(directive?.Dimensions).toContainEqual(['FunctionName']);
  });

  it('builds a dashboard with the alarms, outcome counts, replay ratio, store latency and table throttling', () => {
    // Arrange
    const { template } = monitoredStack({ dashboardName: 'payments-idempotency' });

    // Act
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as Resource[];
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);

    // Assert
    expect(dashboard?.Properties.DashboardName).toBe('payments-idempotency');
    for (const text of [
      'Idempotency alarms',
      'outcomes per minute',
      'Replay ratio (%)',
      'IF((FILL(claimed0, 0)',
      'StoreLatency',
      'p99',
      'ReadThrottleEvents',
    ]) {
      expect(body).toContain(text);
    }
  });

  it('takes other thresholds and sends no notification without a topic', () => {
    // Arrange
    const { template } = monitoredStack({ alarmTopic: undefined, leasesLostPerMinute: 3, inProgressPercent: 25, inProgressMinimumRequests: 50 });

    // Assert
    template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: Match.absent(), OKActions: Match.absent() });
    expect(described(template, 'leases of')).toMatchObject({ Threshold: 3 });
    expect(described(template, 'refused as in progress')).toMatchObject({ Threshold: 25 });
    expect(JSON.stringify(described(template, 'refused as in progress').Metrics)).toContain('>= 50');
  });

  it.each([
    ['storeFailuresPerMinute', 0],
    ['inProgressPercent', -5],
    ['throttleEventsPerMinute', Number.NaN],
    ['metricNamespace', ''],
  ])('refuses %s: %p, naming the prop', (prop, value) => {
    expect(() => monitoredStack({ [prop]: value })).toThrow(new RegExp(`\`${prop}\``));
  });
});
