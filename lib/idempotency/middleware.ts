import type { MiddlewareObj, Request } from '@middy/core';
import { bindHeldClaim, createHeldClaim, findHeldClaim, markReplayed, takeHeldClaim, type HeldClaim } from './claim-state.js';
import { IdempotencyLeaseLostError, IdempotencyStoreError, isIdempotencyError, type IdempotencyError } from './errors.js';
import { createLifecycle, type Lifecycle } from './lifecycle.js';
import { hasTimedOut } from './middy-timeout.js';
import type { IdempotencyOptions, LambdaContextLike } from './options.js';

// The request is owned by exactly one claim, so this lookup can never be ambiguous.
const takeRequestClaim = (request: object): HeldClaim | undefined => {
  const held = findHeldClaim(request);
  return held === undefined ? undefined : takeHeldClaim(held);
};

/** How a Middy adapter answers instead of the plain defaults (rethrow errors, replay results as stored). */
export interface MiddlewareAnswers<TResult> {
  /** Turns an idempotency error raised before the handler into a response. @default rethrow it */
  readonly answerError?: (error: IdempotencyError) => TResult;
  /** Shapes a replayed result, e.g. adds a header. @default the stored result */
  readonly replay?: (result: TResult) => TResult;
  /**
   * Answers replays and refusals from `onError` instead of `request.earlyResponse`: Middy skips every `after` on an
   * early response, but runs the `onError` of the middlewares registered before this one (CORS, security headers),
   * which decorate the answer as they decorate any error answer. @default false
   */
  readonly answerInErrorChain?: boolean;
}

/** Carries a replay through Middy's `onError` chain, where this middleware answers it; never reaches the caller. */
class IdempotentReplay extends Error {
  override readonly name = 'IdempotentReplay' as const;
  constructor() {
    super('The stored response of this idempotency key is replayed');
  }
}

// Answers decided in `before` and sent from `onError`, keyed by the Middy request (new for every invocation).
const answersInErrorChain = new WeakMap<object, unknown>();

/**
 * The Middy phases over a lifecycle, shared by `idempotency()` and `httpIdempotency()`.
 * On a replay `before` answers through `request.earlyResponse` (or from `onError`, with `answerInErrorChain`), so
 * `undefined` results replay too; only a claim this invocation made is ever completed or released, and never after
 * the handler committed it in a transaction.
 */
export function createIdempotencyPhases<TEvent, TResult>(
  lifecycle: Lifecycle<TEvent, TResult>,
  answers: MiddlewareAnswers<TResult> = {},
): MiddlewareObj<TEvent, TResult> {
  const answerEarly = (request: Request<TEvent, TResult>, response: TResult, reason: Error) => {
    if (answers.answerInErrorChain !== true) {
      request.earlyResponse = response;
      return;
    }
    answersInErrorChain.set(request, response);
    throw reason;
  };

  const idempotencyBefore = async (request: Request<TEvent, TResult>) => {
    let begin;
    try {
      begin = await lifecycle.begin(request.event, request.context as LambdaContextLike);
    } catch (error) {
      if (answers.answerError === undefined || !isIdempotencyError(error)) throw error;
      return answerEarly(request, answers.answerError(error), error);
    }
    if (begin.kind !== 'replay') {
      bindHeldClaim(createHeldClaim(lifecycle, begin.kind === 'run' ? begin.claim : undefined, [request, request.context]));
      return;
    }
    markReplayed(request);
    answerEarly(request, answers.replay === undefined ? begin.result : answers.replay(begin.result), new IdempotentReplay());
  };

  const idempotencyAfter = async (request: Request<TEvent, TResult>) => {
    const held = takeRequestClaim(request);
    // A timeout response is not the handler's result, and the handler may still be running: store nothing, keep the key.
    if (held?.claim !== undefined && !held.committed && !hasTimedOut(request)) await lifecycle.finish(held.claim, request.response as TResult);
  };

  const idempotencyOnError = async (request: Request<TEvent, TResult>) => {
    // A replay or refusal from our own `before`: no claim was made; the middlewares registered earlier decorate it next.
    if (answersInErrorChain.has(request)) {
      request.response = answersInErrorChain.get(request) as TResult;
      answersInErrorChain.delete(request);
      return;
    }
    // An error thrown by our own `before` (in progress, mismatch) left no claim: the record belongs to someone else.
    const held = takeRequestClaim(request);
    // Middy's early timeout fails the request while the handler may still be running: releasing now would let a
    // retry run beside it, so the key stays held until the lease (the Lambda deadline) ends.
    if (held?.claim !== undefined && !held.committed && !hasTimedOut(request)) await lifecycle.abort(held.claim);
    // A transaction refused by the fence (the invocation that took over answers) or failed in DynamoDB (nothing was
    // committed, or the completion replays): this one says so, 409 or 503 with Retry-After, instead of a 500.
    const { error } = request;
    if (answers.answerError !== undefined && (error instanceof IdempotencyLeaseLostError || error instanceof IdempotencyStoreError)) {
      request.response = answers.answerError(error);
    }
  };

  return { before: idempotencyBefore, after: idempotencyAfter, onError: idempotencyOnError };
}

/**
 * Makes a Middy handler idempotent: the first invocation with a key runs and its result is stored; every duplicate
 * gets that result back without running the handler.
 *
 * On a replay the handler and the middlewares after this one are skipped. Only a claim this invocation made is ever
 * completed or released. A handler can commit its own DynamoDB writes with the completion through `completeWithTransaction`.
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
  return createIdempotencyPhases(createLifecycle(options));
}
