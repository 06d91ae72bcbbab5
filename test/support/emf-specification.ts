// The rules of the CloudWatch Embedded Metric Format specification a document must follow for CloudWatch Logs to
// extract its metrics: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html

/** The units a MetricDefinition may name (those of the CloudWatch MetricDatum). */
const validUnits = new Set(
  [
    'Seconds Microseconds Milliseconds Bytes Kilobytes Megabytes Gigabytes Terabytes Bits Kilobits Megabits Gigabits Terabits Percent Count',
    'Bytes/Second Kilobytes/Second Megabytes/Second Gigabytes/Second Terabytes/Second Bits/Second Kilobits/Second Megabits/Second',
    'Gigabits/Second Terabits/Second Count/Second None',
  ]
    .join(' ')
    .split(' '),
);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const extraMembers = (value: Record<string, unknown>, allowed: string[]) => Object.keys(value).filter((key) => !allowed.includes(key));
const isMetricValue = (value: unknown) =>
  (typeof value === 'number' && Number.isFinite(value)) ||
  (Array.isArray(value) && value.length <= 100 && value.every((entry) => typeof entry === 'number' && Number.isFinite(entry)));

/** Every way `line` breaks the EMF specification; empty when it is a valid document. */
export function emfViolations(line: string): string[] {
  const violations: string[] = [];
  let root: unknown;
  try {
    root = JSON.parse(line);
  } catch {
    return ['the log event is not one JSON value'];
  }
  if (!isObject(root)) return ['the root node is not a JSON object'];
  const metadata = root._aws;
  if (!isObject(metadata)) return ['_aws is missing or not an object'];
  violations.push(...extraMembers(metadata, ['Timestamp', 'CloudWatchMetrics']).map((key) => `_aws has an extra member ${key}`));
  if (!Number.isInteger(metadata.Timestamp) || (metadata.Timestamp as number) < 0) violations.push('_aws.Timestamp is not epoch milliseconds');
  if (!Array.isArray(metadata.CloudWatchMetrics)) return [...violations, '_aws.CloudWatchMetrics is not an array'];
  for (const directive of metadata.CloudWatchMetrics as unknown[]) {
    if (!isObject(directive)) {
      violations.push('a MetricDirective is not an object');
      continue;
    }
    violations.push(...extraMembers(directive, ['Namespace', 'Dimensions', 'Metrics']).map((key) => `a MetricDirective has an extra member ${key}`));
    const { Namespace, Dimensions, Metrics } = directive;
    if (typeof Namespace !== 'string' || Namespace.length === 0 || Namespace.length > 255) violations.push('Namespace is not a 1-255 character string');
    if (!Array.isArray(Dimensions) || !Dimensions.every((set) => Array.isArray(set))) violations.push('Dimensions is not an array of DimensionSets');
    for (const set of Array.isArray(Dimensions) ? (Dimensions as unknown[][]) : []) {
      if (set.length > 30) violations.push('a DimensionSet has more than 30 dimensions');
      for (const key of set) {
        const value = typeof key === 'string' ? root[key] : undefined;
        if (typeof value !== 'string' || value.trim().length === 0) violations.push(`dimension ${String(key)} has no non-empty string value at the root`);
      }
    }
    if (!Array.isArray(Metrics) || Metrics.length > 100) violations.push('Metrics is not an array of at most 100 MetricDefinitions');
    for (const metric of Array.isArray(Metrics) ? (Metrics as unknown[]) : []) {
      if (!isObject(metric) || typeof metric.Name !== 'string') {
        violations.push('a MetricDefinition has no Name');
        continue;
      }
      violations.push(
        ...extraMembers(metric, ['Name', 'Unit', 'StorageResolution']).map((key) => `MetricDefinition ${metric.Name} has an extra member ${key}`),
      );
      if (metric.Unit !== undefined && !validUnits.has(metric.Unit as string)) violations.push(`metric ${metric.Name} has an invalid Unit`);
      if (!isMetricValue(root[metric.Name])) violations.push(`metric ${metric.Name} has no number or array of at most 100 numbers at the root`);
    }
  }
  return violations;
}

/** The parsed document of a valid EMF line. */
export interface EmfDocument {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit?: string }> }>;
  };
  readonly [member: string]: unknown;
}

/** Parses `line` after checking it against the specification. @throws {Error} listing the violations. */
export function parseEmfLine(line: string): EmfDocument {
  const violations = emfViolations(line);
  if (violations.length > 0) throw new Error(`Invalid EMF document:\n${violations.join('\n')}\n${line}`);
  return JSON.parse(line) as EmfDocument;
}
