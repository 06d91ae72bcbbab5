/** The two states a stored idempotency record can be in. */
export const RecordStatus = { InProgress: 'IN_PROGRESS', Completed: 'COMPLETED' } as const;
/** `'IN_PROGRESS'` or `'COMPLETED'`. */
export type RecordStatus = (typeof RecordStatus)[keyof typeof RecordStatus];

/** How a completed record holds its result. */
export type StoredResult =
  /** The handler returned `undefined`. */
  | { readonly kind: 'undefined' }
  /** The result as JSON text. */
  | { readonly kind: 'json'; readonly json: string }
  /** The result as gzipped JSON text; inflated, within a bound, only when it is replayed. */
  | { readonly kind: 'gzip'; readonly bytes: Uint8Array }
  /** The result could not be stored (too large or not serialisable); duplicates get an error. */
  | { readonly kind: 'not-stored' }
  /** The stored result has a form this library never writes; replaying it throws `IdempotencyRecordCorruptError`. */
  | { readonly kind: 'unreadable' };

/** One idempotency record as the library sees it, independent of how a store lays it out. */
export interface IdempotencyRecord {
  /** The stored key: a SHA-256 of function, namespace, scope and client key. Never the raw key. */
  readonly id: string;
  readonly status: RecordStatus;
  /** When the record stops counting, in epoch seconds (the DynamoDB TTL attribute). */
  readonly expiresAtEpochSeconds: number;
  /** When an IN_PROGRESS claim may be taken over, in epoch milliseconds. */
  readonly leaseExpiresAtEpochMs?: number;
  /** The random fencing token of the claim that wrote an IN_PROGRESS record. */
  readonly leaseToken?: string;
  /** SHA-256 of the request's fingerprint, when a fingerprint was configured. */
  readonly fingerprintHash?: string;
  /** Present on COMPLETED records. */
  readonly result?: StoredResult;
}

/** True when the record's retention has passed; DynamoDB TTL may not have deleted it yet, so it counts as absent. */
export function isRecordExpired(record: Pick<IdempotencyRecord, 'expiresAtEpochSeconds'>, nowMs: number): boolean {
  return record.expiresAtEpochSeconds * 1000 <= nowMs;
}

/** True when an IN_PROGRESS record's lease has ended, so a new invocation may take the key over. */
export function isLeaseExpired(record: Pick<IdempotencyRecord, 'leaseExpiresAtEpochMs'>, nowMs: number): boolean {
  return record.leaseExpiresAtEpochMs !== undefined && record.leaseExpiresAtEpochMs <= nowMs;
}

/**
 * True when a claim may take `record` although it exists: its retention has passed (TTL has not deleted it yet), or it
 * is IN_PROGRESS and its lease has passed (its holder crashed or timed out).
 */
export function isClaimable(record: Pick<IdempotencyRecord, 'status' | 'expiresAtEpochSeconds' | 'leaseExpiresAtEpochMs'>, nowMs: number): boolean {
  return isRecordExpired(record, nowMs) || (record.status === RecordStatus.InProgress && isLeaseExpired(record, nowMs));
}

/** Whole seconds (at least 1) until an IN_PROGRESS record's lease ends: the `Retry-After` hint. */
export function secondsUntilLeaseEnds(record: Pick<IdempotencyRecord, 'leaseExpiresAtEpochMs'>, nowMs: number): number {
  const remainingMs = (record.leaseExpiresAtEpochMs ?? nowMs) - nowMs;
  return Math.max(1, Math.ceil(remainingMs / 1000));
}

/**
 * The retention end an IN_PROGRESS record is written with: the later of the claim's retention end and its lease end, so
 * that expiry (DynamoDB TTL, a Redis EXPIREAT) can never free a key whose handler may still be running.
 */
export function claimExpiresAtEpochSeconds(claim: { readonly expiresAtEpochSeconds: number; readonly leaseExpiresAtEpochMs: number }): number {
  return Math.max(claim.expiresAtEpochSeconds, Math.ceil(claim.leaseExpiresAtEpochMs / 1000));
}

/** True when both the record and the request carry a fingerprint and they differ: the key was used with another payload. */
export function fingerprintsDiffer(record: Pick<IdempotencyRecord, 'fingerprintHash'>, fingerprintHash: string | undefined): boolean {
  return fingerprintHash !== undefined && record.fingerprintHash !== undefined && fingerprintHash !== record.fingerprintHash;
}
