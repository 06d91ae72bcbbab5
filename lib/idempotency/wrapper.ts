import { bindHeldClaim, createHeldClaim, runHoldingClaim, takeHeldClaim } from './claim-state.js';
import { createLifecycle, type Lifecycle } from './lifecycle.js';
import type { IdempotencyOptions, LambdaContextLike } from './options.js';
import type { BatchAhead } from './claim-ahead.js';
import { resolveWrappedNamespace } from './wrapped-namespace.js';

const isLambdaContext = (value: unknown): value is LambdaContextLike =>
  typeof value === 'object' && value !== null && typeof (value as LambdaContextLike).getRemainingTimeInMillis === 'function';

/**
 * Wraps any async function so that it runs once per key; duplicates get the first call's result.
 *
 * `options.key` and friends receive the first argument. When the second argument is a Lambda context, the lease
 * follows its remaining time and its function name enters the stored key. The namespace defaults to `fn.name`, so two
 * wrapped functions in one Lambda never share keys; a function without a name of its own (an inline arrow, a default
 * export, a bound method) needs `namespace`, and so does a second function with another body under a name already
 * wrapped in this process. Set `namespace` anyway when your bundler renames functions, since it enters the stored key.
 *
 * Calls that share one Lambda context, concurrently or nested, each keep their own claim: `completeWithTransaction`
 * inside the function always completes the claim of the call it runs in.
 * @throws {TypeError} at construction, naming an invalid option (including a missing `namespace`).
 * @throws {IdempotencyError} subclasses as {@link idempotency} does; the wrapped function's own errors pass through unchanged.
 * @example
 * ```ts
 * import { createDynamoDBStore, makeIdempotent } from 'lambda-idempotency';
 * const store = createDynamoDBStore({ tableName: 'idempotency' });
 * const chargeCard = async (input: { paymentId: string; cents: number }) => ({ receipt: `r-${input.paymentId}` });
 * export const chargeOnce = makeIdempotent(chargeCard, { store, key: (input) => input.paymentId, namespace: 'charge' });
 * ```
 */
export function makeIdempotent<TArgs extends [unknown, ...unknown[]], TResult>(
  fn: (...args: TArgs) => Promise<TResult> | TResult,
  options: IdempotencyOptions<TArgs[0], TResult>,
): (...args: TArgs) => Promise<TResult> {
  if (typeof fn !== 'function') throw new TypeError(`Expected \`fn\` to be a function, got ${String(fn)}.`);
  const lifecycle = createLifecycle({ ...options, namespace: resolveWrappedNamespace(fn, options?.namespace) });
  return async (...args: TArgs) => runIdempotently(lifecycle, args[0], isLambdaContext(args[1]) ? args[1] : undefined, () => fn(...args));
}

/** How {@link runIdempotently} runs one call beyond its input. */
export interface IdempotentRunOptions {
  /** What the call's batch read and claimed before its records run (see {@link Lifecycle.begin}). */
  readonly ahead?: BatchAhead;
  /**
   * Binds the claim to this object, which the call alone receives (a batch record's own context), instead of carrying
   * it in the call's async context: no `AsyncLocalStorage`, whose promise hooks slow every promise in the process.
   */
  readonly bindClaimTo?: object;
}

/**
 * Runs `call` once for `input` under `lifecycle`: replays, or claims, runs and completes (releases on a throw). The
 * claim travels with the call, or is bound to `bindClaimTo`, so that `completeWithTransaction` and `step` inside it
 * find their own claim.
 */
export async function runIdempotently<TInput, TResult>(
  lifecycle: Lifecycle<TInput, TResult>,
  input: TInput,
  context: LambdaContextLike | undefined,
  call: () => Promise<TResult> | TResult,
  options: IdempotentRunOptions = {},
): Promise<TResult> {
  const begin = await lifecycle.begin(input, context, options.ahead);
  if (begin.kind === 'replay') return begin.result;
  const claim = begin.kind === 'run' ? begin.claim : undefined;
  const held = createHeldClaim(lifecycle, claim, [options.bindClaimTo ?? context]);
  let result: TResult;
  try {
    if (options.bindClaimTo === undefined) result = await runHoldingClaim(held, async () => call());
    else {
      bindHeldClaim(held);
      result = await call();
    }
  } catch (error) {
    // None to release once the function committed the claim with completeWithTransaction.
    if (claim !== undefined && !takeHeldClaim(held).committed) await lifecycle.abort(claim);
    throw error;
  }
  if (claim !== undefined && !takeHeldClaim(held).committed) await lifecycle.finish(claim, result);
  return result;
}
