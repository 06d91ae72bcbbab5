import { isRecordExpired, type StoredResult } from './record.js';

/** A completed record as the local cache keeps it. */
export interface CachedRecord {
  readonly expiresAtEpochSeconds: number;
  readonly fingerprintHash?: string;
  readonly result: StoredResult;
}

/** A bounded least-recently-used map of completed records, one per container. */
export interface LocalCache {
  /** The record, unless absent or expired at `nowMs` (an expired one is dropped). */
  get(id: string, nowMs: number): CachedRecord | undefined;
  set(id: string, record: CachedRecord): void;
}

/** Creates a {@link LocalCache} holding at most `maxEntries`; the least recently used entry goes first. */
export function createLocalCache(maxEntries: number): LocalCache {
  // A Map iterates in insertion order, so re-inserting on every hit keeps the oldest entry first.
  const entries = new Map<string, CachedRecord>();
  return {
    get(id, nowMs) {
      const record = entries.get(id);
      if (record === undefined) return undefined;
      entries.delete(id);
      if (isRecordExpired(record, nowMs)) return undefined;
      entries.set(id, record);
      return record;
    },
    set(id, record) {
      entries.delete(id);
      entries.set(id, record);
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    },
  };
}
