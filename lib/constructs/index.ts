// The public surface of `lambda-idempotency/cdk`: explicit named re-exports only.
export { IdempotencyTable, idempotencyTableActions, idempotencyTableDefaults, type IdempotencyTableProps } from './idempotency-table.js';
export { IdempotencyMonitoring, idempotencyMonitoringDefaults, type IdempotencyMonitoringProps } from './idempotency-monitoring.js';
