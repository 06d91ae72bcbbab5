import type { MiddlewareObj, Request } from '@middy/core';
import { markReplayed, setClaim, takeClaim } from './claim-state.js';
import { createLifecycle } from './lifecycle.js';
import type { IdempotencyOptions, LambdaContextLike } from './options.js';

const isMiddyTimeout = (error: unknown): boolean =>
  error instanceof Error && error.name === 'TimeoutError' && (error.cause as { package?: unknown } | undefined)?.package === '@middy/core';

/**
 * Makes a Middy handler idempotent: the first invocation with a key runs and its result is stored; every duplicate
 * gets that result back without running the handler.
 *
 * On a replay, `before` answers through `request.earlyResponse`, so `undefined` results replay too and the
 * middlewares after this one are skipped. Only a claim this invocation made is ever completed or released.
 * @throws {TypeError} at construction, naming an invalid option.
 * @throws {IdempotencyKeyError} when the key is missing (unless `onMissingKey: 'skip'`) or invalid.
 * @throws {IdempotencyInProgressError} when another invocation holds the key.
 * @throws {IdempotencyPayloadMismatchError} when the key was used with a different fingerprint.
 * @throws {IdempotencyResultNotStoredError} when the first invocation's result could not be stored.
 * @throws {IdempotencyStoreError} when the claim cannot be written; the handler does not run.
 * @example
 * ```ts
 * import middy from '@middy/core';
 * import { createDynamoDBStore, idempotency } from 'lambda-idempotency';
 * const store = createDynamoDBStore({ tableName: 'idempotency' });
 * export const handler = middy(async (event: { paymentId: string }) => ({ charged: event.paymentId }))
 *   .use(idempotency({ store, key: (event) => event.paymentId }));
 * ```
 */
export function idempotency<TEvent, TResult = unknown>(options: IdempotencyOptions<TEvent, TResult>): MiddlewareObj<TEvent, TResult> {
  const lifecycle = createLifecycle(options);

  const idempotencyBefore = async (request: Request<TEvent, TResult>) => {
    const begin = await lifecycle.begin(request.event, request.context as LambdaContextLike);
    if (begin.kind === 'run') setClaim(request, begin.claim);
    if (begin.kind === 'replay') {
      markReplayed(request);
      request.earlyResponse = begin.result;
    }
  };

  const idempotencyAfter = async (request: Request<TEvent, TResult>) => {
    const claim = takeClaim(request);
    if (claim !== undefined) await lifecycle.finish(claim, request.response as TResult);
  };

  const idempotencyOnError = async (request: Request<TEvent, TResult>) => {
    // An error thrown by our own `before` (in progress, mismatch) left no claim: the record belongs to someone else.
    const claim = takeClaim(request);
    // Middy's early timeout fails the request while the handler may still be running: releasing now would let a
    // retry run beside it, so the key stays held until the lease (the Lambda deadline) ends.
    if (claim !== undefined && !isMiddyTimeout(request.error)) await lifecycle.abort(claim);
  };

  return { before: idempotencyBefore, after: idempotencyAfter, onError: idempotencyOnError };
}
