import type { IdempotencyOutcomeType } from '../outcome.js';

/**
 * The CloudWatch metric that counts each outcome type, one count per `onOutcome` report. Typed as a record of every
 * {@link IdempotencyOutcomeType}, so a new outcome type does not compile until it has a metric.
 */
export const outcomeMetricNames = {
  claimed: 'Claimed',
  replayed: 'Replayed',
  'in-progress': 'InProgress',
  mismatch: 'Mismatch',
  'not-stored': 'NotStored',
  corrupt: 'Corrupt',
  completed: 'Completed',
  released: 'Released',
  'lease-lost': 'LeaseLost',
  'store-error': 'StoreError',
  skipped: 'Skipped',
} as const satisfies Record<IdempotencyOutcomeType, string>;

/** The metrics beyond the outcome counts, and the dimensions of every metric, as `createOutcomeMetrics` writes them. */
export const idempotencyMetricNames = {
  /** Count: duplicates that waited for a key in progress (`waitForInProgressMs`), whatever the wait ended in. */
  waited: 'Waited',
  /** Milliseconds: how long each of those duplicates waited. */
  waitTime: 'WaitTime',
  /** Milliseconds: each store call's duration (claim, completion, release), without waits and local-cache replays. */
  storeLatency: 'StoreLatency',
  /** Dimension: the Lambda function's name. */
  functionNameDimension: 'FunctionName',
  /** Dimension: the idempotency `namespace` (the operation), on a second dimension set when it is not empty. */
  namespaceDimension: 'Namespace',
} as const;
