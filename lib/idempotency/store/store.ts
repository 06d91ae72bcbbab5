import type { IdempotencyRecord } from '../record.js';

/** What an invocation asks of the store to claim a key. */
export interface ClaimRequest {
  readonly id: string;
  readonly fingerprintHash?: string;
  /** The invocation's clock reading, used in the claim condition. */
  readonly nowMs: number;
  readonly leaseExpiresAtEpochMs: number;
  readonly expiresAtEpochSeconds: number;
}

/** A key held by this invocation; its `leaseToken` fences every later write. */
export interface Claim {
  readonly id: string;
  readonly leaseToken: string;
  readonly fingerprintHash?: string;
  readonly leaseExpiresAtEpochMs: number;
  /** The retention end: at the claim, counted from the claim; the lifecycle moves it to completion time + retention before completing. */
  readonly expiresAtEpochSeconds: number;
}

/** The answer to a claim: either the key is ours, or the record that holds it. */
export type ClaimResult = { readonly kind: 'claimed'; readonly claim: Claim } | { readonly kind: 'held'; readonly record: IdempotencyRecord };

/** The answer to `complete` and `release`: `'lease-lost'` when another invocation took the key over meanwhile. */
export type FencedWriteResult = 'done' | 'lease-lost';

/** The answer to `complete`: whether the result itself was stored or only the completion. */
export type CompleteResult = { readonly kind: 'completed'; readonly resultStored: boolean } | { readonly kind: 'lease-lost' };

/**
 * Where idempotency records live. The lifecycle needs these three operations, and `get` to wait for a key in progress;
 * every write after the claim is conditional on the claim's lease token. Implementations throw
 * {@link IdempotencyStoreError} when the backend fails.
 */
export interface IdempotencyStore {
  /** Claims `request.id` in one conditional write, or returns the record that holds it. */
  claim(request: ClaimRequest): Promise<ClaimResult>;
  /** Marks the claim COMPLETED with the handler's result and `claim.expiresAtEpochSeconds` as its retention end, if the claim is still ours. */
  complete(claim: Claim, result: unknown): Promise<CompleteResult>;
  /** Deletes the claim so that a retry can run, if the claim is still ours. */
  release(claim: Claim): Promise<FencedWriteResult>;
  /**
   * Reads the record of `id` with a strongly consistent read, or `undefined` when there is none. Only a duplicate that
   * waits for a key in progress calls it (`waitForInProgressMs` above 0), so a store without it cannot wait.
   * @throws {IdempotencyRecordCorruptError} when the record cannot be read.
   */
  get?(id: string): Promise<IdempotencyRecord | undefined>;
}
