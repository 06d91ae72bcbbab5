import { AsyncLocalStorage } from 'node:async_hooks';

/** The Middy plugin options (the second argument of `middy()`) that {@link withIdempotencyTimeout} reads or wraps. */
export interface MiddyTimeoutPlugin {
  /** Middy's own: how long before the Lambda deadline the early timeout fires. @default Middy's, 5 */
  timeoutEarlyInMillis?: number;
  /** Middy's own: the answer when the early timeout fires. @default Middy's: throw a `TimeoutError` */
  timeoutEarlyResponse?: () => void;
  /** Middy's own hook, called with the request as each invocation starts; kept and still called. */
  requestStart?: (request: object) => void;
  [option: string]: unknown;
}

/** A Middy invocation started under {@link withIdempotencyTimeout}: its request and how early Middy answers it. */
interface RunningRequest {
  readonly request: { context?: unknown };
  readonly timeoutEarlyInMillis: number;
}

// Middy calls `timeoutEarlyResponse()` with no argument. The request it belongs to travels with the invocation's async
// context instead: `requestStart` runs synchronously inside the invocation, before the middlewares and the timer.
const runningRequests = new AsyncLocalStorage<RunningRequest>();
const timedOutRequests = new WeakSet<object>();

const isMiddyTimeoutError = (error: unknown): boolean =>
  error instanceof Error && error.name === 'TimeoutError' && (error.cause as { package?: unknown } | undefined)?.package === '@middy/core';

/**
 * Middy plugin options under which an invocation answered by the early timeout keeps its idempotency claim, whatever
 * `timeoutEarlyResponse` returns or throws.
 *
 * Middy runs the `after` middlewares with a custom timeout response as if the handler had returned it, and gives a
 * middleware nothing to tell the two apart; the handler meanwhile still runs. These options mark the timed-out request,
 * so `idempotency()` and `httpIdempotency()` neither store the placeholder nor release the key: duplicates get the
 * in-progress answer until the lease (the invocation's deadline) ends. Middy's default timeout (a thrown
 * `TimeoutError`) is recognised without them. They also tell a duplicate that waits for a key in progress
 * (`waitForInProgressMs`, in the middleware or in a `makeIdempotent()` function the handler calls) when Middy answers
 * the invocation: the wait ends `timeoutEarlyInMillis` plus 1 s before the Lambda deadline instead of 1 s before it.
 * @example
 * ```ts
 * import middy from '@middy/core';
 * import { createDynamoDBStore, httpIdempotency, withIdempotencyTimeout } from 'lambda-idempotency';
 * const store = createDynamoDBStore({ tableName: 'idempotency' });
 * const timeout = withIdempotencyTimeout({ timeoutEarlyInMillis: 500, timeoutEarlyResponse: () => ({ statusCode: 408, body: '' }) });
 * export const handler = middy(async () => ({ statusCode: 201, body: '{}' }), timeout).use(httpIdempotency({ store }));
 * ```
 */
export function withIdempotencyTimeout<TPlugin extends MiddyTimeoutPlugin>(plugin: TPlugin = {} as TPlugin): TPlugin {
  const { requestStart, timeoutEarlyResponse } = plugin as { requestStart?: (request: object) => void; timeoutEarlyResponse?: () => unknown };
  const timeoutEarlyInMillis = typeof plugin.timeoutEarlyInMillis === 'number' ? plugin.timeoutEarlyInMillis : 0;
  return {
    ...plugin,
    requestStart: (request: object) => {
      runningRequests.enterWith({ request, timeoutEarlyInMillis });
      requestStart?.(request);
    },
    ...(timeoutEarlyResponse === undefined
      ? {}
      : {
          timeoutEarlyResponse: () => {
            const running = runningRequests.getStore();
            if (running !== undefined) timedOutRequests.add(running.request);
            return timeoutEarlyResponse();
          },
        }),
  };
}

/**
 * How many ms before the Lambda deadline Middy's early timeout answers the invocation that runs with `context`: the
 * `timeoutEarlyInMillis` given to {@link withIdempotencyTimeout}, or 0 when no such invocation runs in this async context.
 * The context must match, so a later invocation in the same async context never inherits an earlier one's setting.
 */
export function earlyTimeoutMsOf(context: unknown): number {
  const running = runningRequests.getStore();
  return running !== undefined && running.request.context === context ? running.timeoutEarlyInMillis : 0;
}

/** True when Middy's early timeout answered `request`, by its default error or by a response marked through {@link withIdempotencyTimeout}. */
export function hasTimedOut(request: { error?: unknown }): boolean {
  return timedOutRequests.has(request) || isMiddyTimeoutError(request.error);
}
