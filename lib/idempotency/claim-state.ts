import type { Claim } from './store/store.js';

// Keyed by the Middy request object, which is new for every invocation; Middy's `request.internal` is shared
// across invocations, so nothing per-request may live there or in a middleware's closure.
const claims = new WeakMap<object, Claim>();
const replayedRequests = new WeakSet<object>();

/** Remembers the claim an invocation holds, for its `after`/`onError` phase. */
export function setClaim(request: object, claim: Claim): void {
  claims.set(request, claim);
}

/** The claim this request holds, removed so that no later phase can complete or release it twice. */
export function takeClaim(request: object): Claim | undefined {
  const claim = claims.get(request);
  claims.delete(request);
  return claim;
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
