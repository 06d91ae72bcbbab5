import { isRecordExpired, RecordStatus, type IdempotencyRecord } from './record.js';

/** Records read ahead of a batch's claims, by record id: those `begin` may replay without claiming. */
export type ReadAhead = ReadonlyMap<string, IdempotencyRecord>;

/**
 * The record read ahead for `id` that `begin` may replay as a claim would: a COMPLETED one within its retention, whose
 * state can no longer change. Any other state (absent, in progress, expired) is left for the claim to meet.
 */
export function completedRecordReadAhead(readAhead: ReadAhead | undefined, id: string, nowMs: number): IdempotencyRecord | undefined {
  const record = readAhead?.get(id);
  return record?.status === RecordStatus.Completed && !isRecordExpired(record, nowMs) ? record : undefined;
}
