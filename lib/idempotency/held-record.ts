import { IdempotencyInProgressError, IdempotencyPayloadMismatchError, IdempotencyResultNotStoredError, type IdempotencyError } from './errors.js';
import { RecordStatus, secondsUntilLeaseEnds, type IdempotencyRecord } from './record.js';
import { parseStoredResult } from './store/result-encoding.js';

/** How a duplicate is answered, given the record that holds its key. */
export type HeldRecordResolution =
  | { readonly outcome: 'replayed'; readonly result: unknown }
  | { readonly outcome: 'in-progress' | 'mismatch' | 'not-stored'; readonly error: IdempotencyError };

/**
 * Decides the answer to a duplicate. The fingerprint is checked first, so a request with another payload never learns
 * the first request's result or progress; then a completed record replays and an in-progress one asks to retry later.
 */
export function resolveHeldRecord(record: IdempotencyRecord, fingerprintHash: string | undefined, nowMs: number): HeldRecordResolution {
  if (fingerprintHash !== undefined && record.fingerprintHash !== undefined && fingerprintHash !== record.fingerprintHash) {
    return { outcome: 'mismatch', error: new IdempotencyPayloadMismatchError() };
  }
  if (record.status === RecordStatus.InProgress) {
    return { outcome: 'in-progress', error: new IdempotencyInProgressError(secondsUntilLeaseEnds(record, nowMs)) };
  }
  const result = record.result ?? { kind: 'undefined' };
  if (result.kind === 'not-stored') return { outcome: 'not-stored', error: new IdempotencyResultNotStoredError() };
  return { outcome: 'replayed', result: parseStoredResult(result) };
}
