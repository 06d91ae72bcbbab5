import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import type { Lifecycle, TransactionWriter } from './lifecycle.js';
import type { Claim } from './store/store.js';

/** The claim of one running invocation, reachable from its Middy request and from its Lambda context. */
export interface HeldClaim {
  /** Undefined when idempotency was skipped for this invocation (no key with `onMissingKey: 'skip'`, or switched off). */
  readonly claim: Claim | undefined;
  /** True once the handler committed the completion in its own transaction: the adapter then writes nothing more. */
  committed: boolean;
  readonly commit: (writes: readonly TransactWriteItem[], result: unknown, transact: TransactionWriter) => Promise<void>;
  /** The objects it is reachable from, so that taking it unbinds it from all of them. */
  readonly owners: readonly object[];
}

// Keyed by the Middy request and the Lambda context, both new for every invocation; Middy's `request.internal` is
// shared across invocations, so nothing per-request may live there or in a middleware's closure.
const heldClaims = new WeakMap<object, HeldClaim>();
const replayedRequests = new WeakSet<object>();

/** Binds a claim (or a skipped invocation) to the objects the handler can reach it through. */
export function holdClaim<TResult>(lifecycle: Lifecycle<never, TResult>, claim: Claim | undefined, reachableFrom: readonly (object | undefined)[]): void {
  const held: HeldClaim = {
    claim,
    committed: false,
    commit: async (writes, result, transact) => {
      await lifecycle.commit(claim, result as TResult, writes, transact);
      held.committed = true;
    },
    owners: reachableFrom.filter((owner): owner is object => typeof owner === 'object' && owner !== null),
  };
  for (const owner of held.owners) heldClaims.set(owner, held);
}

/** The claim reachable from `owner` (a Middy request or a Lambda context), if any. */
export function findHeldClaim(owner: object): HeldClaim | undefined {
  return heldClaims.get(owner);
}

/** The claim held through `owner`, unbound from every object so that no later phase can complete or release it twice. */
export function takeHeldClaim(owner: object): HeldClaim | undefined {
  const held = heldClaims.get(owner);
  if (held !== undefined) for (const bound of held.owners) heldClaims.delete(bound);
  return held;
}

/** Marks a request whose response is a replay. */
export function markReplayed(request: object): void {
  replayedRequests.add(request);
}

/**
 * True when the idempotency middleware answered this Middy request with a stored result instead of running the handler.
 *
 * A replay skips the handler and every `after` middleware, so read it where Middy still hands you the request:
 * a plugin's `requestEnd` hook.
 * @example
 * ```ts
 * import middy from '@middy/core';
 * import { wasReplayed } from 'lambda-idempotency';
 * const handler = middy({ requestEnd: (request) => console.log({ replayed: wasReplayed(request) }) });
 * ```
 */
export function wasReplayed(request: object): boolean {
  return replayedRequests.has(request);
}
