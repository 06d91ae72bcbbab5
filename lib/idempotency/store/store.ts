import type { IdempotencyRecord } from '../record.js';

/** What an invocation asks of the store to claim a key. */
export interface ClaimRequest {
  readonly id: string;
  readonly fingerprintHash?: string;
  /** The invocation's clock reading, used in the claim condition. */
  readonly nowMs: number;
  readonly leaseExpiresAtEpochMs: number;
  readonly expiresAtEpochSeconds: number;
  /**
   * The lease token to claim under, when an earlier attempt at this claim (a `claimMany` that did not confirm it)
   * may have written it: the claim then recognises that write as its own. @default a fresh random token
   */
  readonly leaseToken?: string;
}

/** A claim request with the lease token it is made under, as `claimMany` takes it. */
export type TokenedClaimRequest = ClaimRequest & { readonly leaseToken: string };

/** A claim to complete with its handler's result, as `completeMany` takes it. */
export interface Completion {
  readonly claim: Claim;
  readonly result: unknown;
}

/** A key held by this invocation; its `leaseToken` fences every later write. */
export interface Claim {
  readonly id: string;
  readonly leaseToken: string;
  readonly fingerprintHash?: string;
  readonly leaseExpiresAtEpochMs: number;
  /** The retention end: at the claim, counted from the claim; the lifecycle moves it to completion time + retention before completing. */
  readonly expiresAtEpochSeconds: number;
  /**
   * The record's completed steps, set by a store that implements `saveStep`: those the claim found, then each step
   * `step` stores under this claim. Undefined for a store without steps.
   */
  readonly steps?: StepResults;
}

/** The completed steps of a record, by step name: each result's JSON text, or `undefined` for a step that returned `undefined`. */
export type StepResults = Map<string, string | undefined>;

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
  /**
   * Reads the records of `ids` with strongly consistent reads, in as few calls as the backend allows. Only a batch
   * handler calls it, to read a redelivered batch ahead of its claims, so a store without it claims each record as
   * usual. Best effort: an id the answer leaves out may still have a record (unread under throttling, or unreadable),
   * which that id's claim then meets.
   * @throws {IdempotencyStoreError} when the backend fails.
   */
  getMany?(ids: readonly string[]): Promise<ReadonlyMap<string, IdempotencyRecord>>;
  /**
   * Claims the keys of `requests` that have no record, each under its request's `leaseToken`, in as few calls as the
   * backend allows, and answers the claims it made for certain, by id. Only a batch handler calls it, to claim a batch
   * of first deliveries ahead of their runs, so a store without it claims each record as usual. Best effort: an id the
   * answer leaves out (its key has a record, or its write's answer was lost) claims on its own with the same token,
   * which recognises a write that landed as its own. The requests' ids are distinct.
   * @throws {IdempotencyStoreError} when the backend fails, or refuses a write for another reason than an existing record.
   */
  claimMany?(requests: readonly TokenedClaimRequest[]): Promise<ReadonlyMap<string, Claim>>;
  /**
   * Completes each claim with its result as `complete` would, in as few calls as the backend allows, and answers in
   * their order. Only a batch handler calls it, for records that finish together, so a store without it completes
   * each record on its own. A completion whose own write the backend refused for another reason than the claim's
   * fence completes on its own.
   * @throws {IdempotencyStoreError} when the call fails; the caller then completes each on its own, and a fenced
   * `complete` recognises a batched write that landed.
   */
  completeMany?(completions: readonly Completion[]): Promise<CompleteResult[]>;
  /**
   * Stores the result of the step `name` (its JSON text, or `undefined`) in the record of `claim`, if the claim is
   * still ours: `'lease-lost'` when another invocation took the key over. Only `step` calls it, so a store without it
   * has no steps. A store that implements it returns `steps` with every claim, and keeps a record's steps through a
   * claim that takes an ended lease over and through a `release` of a claim whose `steps` are not empty; it returns
   * no steps to a claim that finds the record's retention passed, nor to a claim whose fingerprint differs from the
   * record's (that claim is refused instead), and it drops them when the record completes.
   */
  saveStep?(claim: Claim, name: string, json: string | undefined): Promise<FencedWriteResult>;
}
