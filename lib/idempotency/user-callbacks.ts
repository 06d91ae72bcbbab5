import type { IdempotencyLogger } from './options.js';
import type { IdempotencyOutcome } from './outcome.js';

/** `logger` and `onOutcome` as the lifecycle calls them: an error thrown by either never changes what happens to a key. */
export interface GuardedCallbacks {
  readonly log: IdempotencyLogger;
  /** Undefined without an `onOutcome`, so callers can skip building outcomes: `report?.(…)`. */
  readonly report: ((outcome: IdempotencyOutcome) => void) | undefined;
}

/**
 * Wraps the user's diagnostics callbacks so that they cannot throw into the lifecycle. Once a key is claimed, a
 * callback's error must neither block the key nor hide the handler's result or error: an `onOutcome` error goes to
 * `logger`, a `logger` error is dropped (there is nowhere left to send it).
 */
export function guardCallbacks(logger: IdempotencyLogger | undefined, onOutcome: ((outcome: IdempotencyOutcome) => void) | undefined): GuardedCallbacks {
  const log: IdempotencyLogger = (message, details) => {
    try {
      logger?.(message, details);
    } catch {
      // Dropped on purpose: see above.
    }
  };
  const report =
    onOutcome === undefined
      ? undefined
      : (outcome: IdempotencyOutcome) => {
          try {
            onOutcome(outcome);
          } catch (error) {
            log('onOutcome threw; the invocation went on unchanged', { outcome: outcome.type, recordId: outcome.recordId, error });
          }
        };
  return { log, report };
}
