import { AsyncLocalStorage } from 'node:async_hooks';
import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { IdempotencyClaimAmbiguousError } from './errors.js';
import type { Lifecycle, TransactionWriter } from './lifecycle.js';
import type { Claim, IdempotencyStore } from './store/store.js';

/** The claim of one running invocation, reachable from its Middy request and from its Lambda context. */
export interface HeldClaim {
  /** Undefined when idempotency was skipped for this invocation (no key with `onMissingKey: 'skip'`, or switched off). */
  readonly claim: Claim | undefined;
  /** The store that holds the claim, where `step` stores its results. */
  readonly store: IdempotencyStore;
  /** True once the handler committed the completion in its own transaction: the adapter then writes nothing more. */
  committed: boolean;
  /** True once the adapter took it back to complete or release it: nothing can reach it any more. */
  taken: boolean;
  readonly commit: (writes: readonly TransactWriteItem[], result: unknown, transact: TransactionWriter) => Promise<void>;
  /** The objects the handler may name it by (its Lambda context, its Middy request). */
  readonly owners: readonly object[];
  /** Increases with every claim held in this process: a later claim may run inside an earlier one, never the reverse. */
  readonly sequence: number;
}

// Two ways to reach a claim, because the adapters run handlers differently:
// - makeIdempotent runs the function itself, so its claim travels with the call's async context. Concurrent or nested
//   wrapped calls that share one Lambda context each see their own claim, and no wrapped call can see another's.
// - Middy runs the handler after `before` returns, outside any async context a middleware could set: its claim is bound
//   to the Middy request and the Lambda context, both new for every invocation. Middy's `request.internal` is shared
//   across invocations, so nothing per-request may live there or in a middleware's closure.
// - A batch handler gives each record's handler a context of its own and binds the record's claim to it, the Middy way.
const runningCalls = new AsyncLocalStorage<RunningCall>();
const boundClaims = new WeakMap<object, Set<HeldClaim>>();
const replayedRequests = new WeakSet<object>();
let sequence = 0;

/** A wrapped call in progress, and the wrapped call it runs inside, if any. */
interface RunningCall {
  readonly held: HeldClaim;
  readonly outer: RunningCall | undefined;
}

/** Makes the record of a claim (or of a skipped invocation) that `commit` can complete inside a transaction. */
export function createHeldClaim<TResult>(lifecycle: Lifecycle<never, TResult>, claim: Claim | undefined, owners: readonly (object | undefined)[]): HeldClaim {
  sequence += 1;
  const held: HeldClaim = {
    claim,
    store: lifecycle.store,
    committed: false,
    taken: false,
    commit: async (writes, result, transact) => {
      await lifecycle.commit(claim, result as TResult, writes, transact);
      held.committed = true;
    },
    owners: owners.filter((owner): owner is object => typeof owner === 'object' && owner !== null),
    sequence,
  };
  return held;
}

/** Runs `call` with `held` as the claim of everything it does, including what it awaits (the wrapper's way). */
export function runHoldingClaim<T>(held: HeldClaim, call: () => Promise<T>): Promise<T> {
  return runningCalls.run({ held, outer: runningCalls.getStore() }, call);
}

/** Binds `held` to its owners, for a handler that runs outside our call (the Middy way). */
export function bindHeldClaim(held: HeldClaim): void {
  for (const owner of held.owners) {
    const bound = boundClaims.get(owner) ?? new Set<HeldClaim>();
    bound.add(held);
    boundClaims.set(owner, bound);
  }
}

/** Takes `held` back for completion or release: from now on no lookup finds it. */
export function takeHeldClaim(held: HeldClaim): HeldClaim {
  held.taken = true;
  for (const owner of held.owners) boundClaims.get(owner)?.delete(held);
  return held;
}

/**
 * The claim of the call running right now that `owner` (a Lambda context or a Middy request) names.
 *
 * The innermost wrapped call that owns `owner` wins, unless a claim bound through Middy began after it started and may
 * run inside it: then, as when two Middy claims share `owner`, nothing tells which one the caller means.
 * @throws {IdempotencyClaimAmbiguousError} when `owner` names more than one claim that may enclose this call.
 */
export function findHeldClaim(owner: object): HeldClaim | undefined {
  let running: RunningCall | undefined = runningCalls.getStore();
  while (running !== undefined && (running.held.taken || !running.held.owners.includes(owner))) running = running.outer;
  const inner = running?.held;
  const bound = [...(boundClaims.get(owner) ?? [])].filter((held) => inner === undefined || held.sequence > inner.sequence);
  if (bound.length === 0) return inner;
  if (bound.length === 1 && inner === undefined) return bound[0];
  throw new IdempotencyClaimAmbiguousError(bound.length + (inner === undefined ? 0 : 1));
}

/**
 * The claim `owner` names, for code that writes under it (`completeWithTransaction`, `step`).
 * @throws {TypeError} when no running claim is bound to `owner`, or when it was already committed.
 * @throws {IdempotencyClaimAmbiguousError} when `owner` names more than one claim that may enclose this call.
 */
export function requireUncommittedClaim(owner: object): HeldClaim {
  const held = findHeldClaim(owner);
  if (held === undefined) {
    throw new TypeError(
      'No idempotency claim is bound to this object: pass the Lambda context (or Middy request) of a handler wrapped by idempotency(), httpIdempotency() or makeIdempotent(), or the context a batch record handler receives.',
    );
  }
  if (held.committed) throw new TypeError('This invocation already committed its idempotency record.');
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
