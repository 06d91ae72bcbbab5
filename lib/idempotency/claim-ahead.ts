import type { ReadAhead } from './read-ahead.js';
import type { Claim, ClaimRequest } from './store/store.js';

/** A claim a batch made ahead of one input's run: the lease token it was made under, and the claim once the store confirmed it. */
export interface ClaimAhead {
  readonly leaseToken: string;
  /** Undefined when the store did not confirm the claim: the input then claims on its own, under `leaseToken`. */
  readonly claim: Claim | undefined;
}

/** The claims a batch made ahead of its runs, by input: the very object `begin` gets, so that each is taken once. */
export type ClaimsAhead = ReadonlyMap<unknown, ClaimAhead>;

/** The claim request of each input of a batch that `begin` would claim, by input, derived once for the whole batch. */
export type ClaimRequests = ReadonlyMap<unknown, ClaimRequest>;

/** What a batch learned before its records run, for `begin`: each input's key, records read ahead, and claims made ahead. */
export interface BatchAhead {
  /** Spares `begin` deriving the key and fingerprint of an input again (two hashes, and a canonical form of the payload). */
  readonly requests?: ClaimRequests;
  readonly records?: ReadAhead;
  readonly claims?: ClaimsAhead;
}
