import {
  IdempotencyInProgressError,
  IdempotencyPayloadMismatchError,
  IdempotencyRecordCorruptError,
  IdempotencyResultNotStoredError,
  type IdempotencyError,
} from './errors.js';
import { fingerprintsDiffer, RecordStatus, secondsUntilLeaseEnds, type IdempotencyRecord } from './record.js';
import { parseStoredResult } from './store/result-encoding.js';

/** How a duplicate is answered, given the record that holds its key. */
export type HeldRecordResolution =
  | { readonly outcome: 'replayed'; readonly result: unknown }
  | { readonly outcome: 'in-progress' | 'mismatch' | 'not-stored' | 'corrupt'; readonly error: IdempotencyError };

/**
 * Decides the answer to a duplicate. The fingerprint is checked first, so a request with another payload never learns
 * the first request's result or progress; then a completed record replays and an in-progress one asks to retry later.
 * Only a replay decodes the stored result; one that cannot be decoded is answered as `corrupt`.
 */
export function resolveHeldRecord(record: IdempotencyRecord, fingerprintHash: string | undefined, nowMs: number): HeldRecordResolution {
  if (fingerprintsDiffer(record, fingerprintHash)) {
    return { outcome: 'mismatch', error: new IdempotencyPayloadMismatchError() };
  }
  if (record.status === RecordStatus.InProgress) {
    return { outcome: 'in-progress', error: new IdempotencyInProgressError(secondsUntilLeaseEnds(record, nowMs)) };
  }
  const result = record.result ?? { kind: 'undefined' };
  if (result.kind === 'not-stored') return { outcome: 'not-stored', error: new IdempotencyResultNotStoredError() };
  try {
    return { outcome: 'replayed', result: parseStoredResult(result, record.id) };
  } catch (error) {
    if (error instanceof IdempotencyRecordCorruptError) return { outcome: 'corrupt', error };
    throw error;
  }
}
