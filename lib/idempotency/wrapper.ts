import { holdClaim, takeHeldClaim } from './claim-state.js';
import { createLifecycle } from './lifecycle.js';
import type { IdempotencyOptions, LambdaContextLike } from './options.js';

const isLambdaContext = (value: unknown): value is LambdaContextLike =>
  typeof value === 'object' && value !== null && typeof (value as LambdaContextLike).getRemainingTimeInMillis === 'function';

/**
 * Wraps any async function so that it runs once per key; duplicates get the first call's result.
 *
 * `options.key` and friends receive the first argument. When the second argument is a Lambda context, the lease
 * follows its remaining time and its function name enters the stored key. The namespace defaults to `fn.name`, so two
 * wrapped functions in one Lambda never share keys; set `namespace` when your bundler renames functions.
 * @throws {TypeError} at construction, naming an invalid option.
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
  const lifecycle = createLifecycle({ ...options, namespace: options.namespace ?? fn.name });
  return async (...args: TArgs) => {
    const context = isLambdaContext(args[1]) ? args[1] : undefined;
    const begin = await lifecycle.begin(args[0], context);
    if (begin.kind === 'replay') return begin.result;
    const claim = begin.kind === 'run' ? begin.claim : undefined;
    holdClaim(lifecycle, claim, [context]);
    // The claim still to complete or release: none once the function committed it with completeWithTransaction.
    const openClaim = () => (context !== undefined && takeHeldClaim(context)?.committed === true ? undefined : claim);
    let result: TResult;
    try {
      result = await fn(...args);
    } catch (error) {
      const open = openClaim();
      if (open !== undefined) await lifecycle.abort(open);
      throw error;
    }
    const open = openClaim();
    if (open !== undefined) await lifecycle.finish(open, result);
    return result;
  };
}
