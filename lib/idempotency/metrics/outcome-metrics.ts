import { AsyncLocalStorage } from 'node:async_hooks';
import { systemClock, type Clock } from '../clock.js';
import { requireFunction, requireNonEmptyString, stripUndefined } from '../option-checks.js';
import type { LambdaContextLike } from '../options.js';
import type { IdempotencyOutcome } from '../outcome.js';
import { createOutcomeTally, tallyOutcome, toEmfLine, type OutcomeTally } from './emf-document.js';

/** Options of {@link createOutcomeMetrics}. */
export interface OutcomeMetricsOptions {
  /** The idempotency `namespace` of the handler, written as the `Namespace` dimension; pass the same value. @default '' (no Namespace dimension) */
  namespace?: string;
  /** The CloudWatch namespace the metrics land in; `IdempotencyMonitoring` reads the same default. @default 'LambdaIdempotency' */
  metricNamespace?: string;
  /** Receives each EMF document, one line of JSON. @default writes it and a newline to stdout, where Lambda sends it to CloudWatch Logs */
  write?: (line: string) => void;
  /** The clock of the documents' timestamps, in epoch milliseconds; for tests. @default Date.now */
  now?: Clock;
}

/** The default values of {@link OutcomeMetricsOptions}. */
export const outcomeMetricsDefaults = {
  namespace: '',
  metricNamespace: 'LambdaIdempotency',
  // Straight to stdout: the runtime's console.log prefixes a timestamp and request id, and CloudWatch extracts metrics only from a JSON log event.
  write: (line: string): void => {
    process.stdout.write(`${line}\n`);
  },
  now: systemClock,
} as const;

/** An `onOutcome` reporter and the handler wrapper that tells it where each invocation ends. */
export interface OutcomeMetrics {
  /** Pass as the `onOutcome` option. Inside {@link OutcomeMetrics.wrapHandler} it buffers; outside, each outcome is written at once. */
  readonly onOutcome: (outcome: IdempotencyOutcome) => void;
  /**
   * Wraps the Lambda handler (a Middy handler, a `makeIdempotent` function, an SQS batch handler): the outcomes of each
   * invocation are summed and written as one EMF line when the handler returns or throws.
   */
  readonly wrapHandler: <TArgs extends unknown[], TResult>(handler: (...args: TArgs) => Promise<TResult>) => (...args: TArgs) => Promise<TResult>;
}

// One invocation's tally, and the context that names its function.
interface Invocation {
  readonly tally: OutcomeTally;
  readonly context: LambdaContextLike | undefined;
  flushed: boolean;
}

const contextOf = (value: unknown): LambdaContextLike | undefined =>
  typeof value === 'object' && value !== null && typeof (value as LambdaContextLike).functionName === 'string' ? (value as LambdaContextLike) : undefined;

/**
 * Creates an `onOutcome` reporter that writes CloudWatch Embedded Metric Format: a count per outcome type (`Claimed`,
 * `Replayed`, `InProgress`, … see `outcomeMetricNames`), `Waited` and `WaitTime` for duplicates that waited, and
 * `StoreLatency`, with the dimensions `FunctionName` and, when `namespace` is set, `FunctionName` + `Namespace`.
 *
 * At most one line per invocation: the invocation ends when the handler given to `wrapHandler` settles, which Middy's
 * `after` cannot tell (a replay answers early and skips it) and the outcomes alone cannot either (an SQS batch reports
 * one sequence per record; an early timeout leaves a claim without an end). The tally lives in the invocation's async
 * context, so concurrent invocations in one process never mix. An invocation with no outcome writes nothing; one that
 * Lambda kills at its deadline writes nothing either.
 * @throws {TypeError} naming an invalid option.
 * @example
 * ```ts
 * import middy from '@middy/core';
 * import { createDynamoDBStore, createOutcomeMetrics, idempotency } from 'lambda-idempotency';
 * const store = createDynamoDBStore({ tableName: 'idempotency' });
 * const metrics = createOutcomeMetrics({ namespace: 'charge' });
 * export const handler = metrics.wrapHandler(
 *   middy(async (event: { paymentId: string }) => ({ charged: event.paymentId }))
 *     .use(idempotency({ store, namespace: 'charge', key: (event) => event.paymentId, onOutcome: metrics.onOutcome })),
 * );
 * ```
 */
export function createOutcomeMetrics(options: OutcomeMetricsOptions = {}): OutcomeMetrics {
  const { namespace, metricNamespace, write, now } = { ...outcomeMetricsDefaults, ...stripUndefined(options) };
  if (typeof namespace !== 'string') throw new TypeError(`Expected \`namespace\` to be a string, got ${String(namespace)}.`);
  requireNonEmptyString('metricNamespace', metricNamespace);
  requireFunction('write', write, false);
  requireFunction('now', now, false);
  const invocations = new AsyncLocalStorage<Invocation>();

  const flush = (invocation: Invocation) => {
    invocation.flushed = true;
    const functionName = invocation.context?.functionName || process.env.AWS_LAMBDA_FUNCTION_NAME || 'unknown';
    try {
      const line = toEmfLine(invocation.tally, { metricNamespace, functionName, namespace, timestampMs: now() });
      if (line !== undefined) write(line);
    } catch {
      // Dropped on purpose: a failing `write` or `now` must never replace the handler's result or error.
    }
  };

  const onOutcome = (outcome: IdempotencyOutcome) => {
    const current = invocations.getStore();
    // Outside a wrapped handler (or after it ended) no end will come: the outcome is its own line rather than lost.
    const invocation = current === undefined || current.flushed ? { tally: createOutcomeTally(), context: current?.context, flushed: false } : current;
    tallyOutcome(invocation.tally, outcome);
    if (invocation !== current) flush(invocation);
  };

  const wrapHandler =
    <TArgs extends unknown[], TResult>(handler: (...args: TArgs) => Promise<TResult>) =>
    (...args: TArgs): Promise<TResult> => {
      const invocation: Invocation = { tally: createOutcomeTally(), context: contextOf(args[1]), flushed: false };
      return invocations.run(invocation, async () => {
        try {
          return await handler(...args);
        } finally {
          flush(invocation);
        }
      });
    };

  return { onOutcome, wrapHandler };
}
