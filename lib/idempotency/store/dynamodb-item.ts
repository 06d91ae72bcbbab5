import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { claimExpiresAtEpochSeconds, RecordStatus, type IdempotencyRecord, type StoredResult } from '../record.js';
import type { Claim, StepResults } from './store.js';
import { IdempotencyRecordCorruptError } from '../errors.js';
import type { EncodedResult } from './result-encoding.js';
import { recordIdOf, recordKey, type TableKeyNames } from './dynamodb-table-key.js';

/** An idempotency item in attribute-value form. */
export type Item = Record<string, AttributeValue>;

/** The attribute names of an idempotency item. `key`, `sortKey` and `expiry` are configurable; the rest are fixed. */
export interface ItemAttributeNames extends TableKeyNames {
  /** TTL attribute (N, epoch seconds). */
  readonly expiry: string;
  readonly status: 'status';
  /** Lease end of an IN_PROGRESS claim (N, epoch milliseconds). */
  readonly leaseExpiry: 'in_progress_expiration';
  readonly leaseToken: 'lease_token';
  /** SHA-256 of the fingerprint (S). */
  readonly fingerprint: 'validation';
  /** The result: S for JSON text, B for gzipped JSON. Absent for an `undefined` result. */
  readonly data: 'data';
  /** BOOL true when the result could not be stored. */
  readonly dataNotStored: 'data_not_stored';
  /** The completed steps (M): step name → JSON text (S), or NULL for an undefined result. Removed on completion. */
  readonly steps: 'steps';
}

/** The attribute names every record has whatever the options: no configurable name may take one of them. */
export const fixedAttributeNames = {
  status: 'status',
  leaseExpiry: 'in_progress_expiration',
  leaseToken: 'lease_token',
  fingerprint: 'validation',
  data: 'data',
  dataNotStored: 'data_not_stored',
  steps: 'steps',
} as const;

/** Builds the attribute names for a table whose key and TTL attributes are `key` (and `sortKey`) and `expiry`. */
export function itemAttributeNames(key: string, expiry: string, sortKey?: string): ItemAttributeNames {
  return { key, ...(sortKey === undefined ? {} : { sortKey }), expiry, ...fixedAttributeNames };
}

/** The IN_PROGRESS item a claim writes, with {@link claimExpiresAtEpochSeconds} as its TTL. */
export function toClaimItem(claim: Claim, names: ItemAttributeNames): Record<string, AttributeValue> {
  const expiresAtEpochSeconds = claimExpiresAtEpochSeconds(claim);
  const item: Record<string, AttributeValue> = {
    ...recordKey(claim.id, names),
    [names.status]: { S: RecordStatus.InProgress },
    [names.expiry]: { N: String(expiresAtEpochSeconds) },
    [names.leaseExpiry]: { N: String(claim.leaseExpiresAtEpochMs) },
    [names.leaseToken]: { S: claim.leaseToken },
  };
  if (claim.fingerprintHash !== undefined) item[names.fingerprint] = { S: claim.fingerprintHash };
  return item;
}

/** The attribute values that store an encoded result: `data` and `data_not_stored` as they apply. */
export function resultAttributes(encoded: EncodedResult, names: ItemAttributeNames): Record<string, AttributeValue> {
  switch (encoded.kind) {
    case 'undefined':
      return {};
    case 'not-stored':
      return { [names.dataNotStored]: { BOOL: true } };
    case 'text':
      return { [names.data]: { S: encoded.json } };
    case 'gzip':
      return { [names.data]: { B: encoded.bytes } };
  }
}

/**
 * True when `item` is in `status` under the lease token `leaseToken`: the trace of a write this claim made. Only the
 * claim that drew the random token writes it, so a write refused on such an item was our own, applied earlier.
 */
export function isOwnWrite(item: Item | undefined, names: ItemAttributeNames, leaseToken: string, status: RecordStatus): boolean {
  return item?.[names.leaseToken]?.S === leaseToken && item[names.status]?.S === status;
}

/**
 * Reads an item (as returned by GetItem or by a failed condition with ALL_OLD) into a record.
 * @throws {IdempotencyRecordCorruptError} when its status, its TTL or an IN_PROGRESS lease end is missing, or an
 * attribute has a type this library never writes: such a record would hold its key with no answer to give, or skip
 * the fingerprint check, until someone deletes it.
 */
export function fromItem(item: Item, names: ItemAttributeNames): IdempotencyRecord {
  const id = recordIdOf(item, names);
  const read = attributeReader(item, id);
  const status = read.string(names.status, true);
  if (status !== RecordStatus.Completed && status !== RecordStatus.InProgress) throw unreadable(id, names.status);
  return {
    id,
    status,
    expiresAtEpochSeconds: read.number(names.expiry, true) ?? 0,
    leaseExpiresAtEpochMs: read.number(names.leaseExpiry, status === RecordStatus.InProgress),
    leaseToken: read.string(names.leaseToken, false),
    fingerprintHash: read.string(names.fingerprint, false),
    // Read as stored, not decoded: only a replay inflates and parses it, so a 409 or 422 never pays for (or trips on) it.
    result: status === RecordStatus.Completed ? readStoredResult(item, names) : undefined,
  };
}

const unreadable = (id: string, attribute: string) =>
  new IdempotencyRecordCorruptError(id, `its ${attribute} attribute is missing or unreadable`, { cause: undefined });

// Absent is fine where `required` is false; present in another type than this library writes never is.
function attributeReader(item: Item, id: string) {
  return {
    string(name: string, required: boolean): string | undefined {
      const value = item[name];
      if (value === undefined && !required) return undefined;
      if (value?.S === undefined) throw unreadable(id, name);
      return value.S;
    },
    number(name: string, required: boolean): number | undefined {
      const value = item[name];
      if (value === undefined && !required) return undefined;
      const parsed = Number(value?.N);
      if (value?.N === undefined || !Number.isFinite(parsed)) throw unreadable(id, name);
      return parsed;
    },
  };
}

function readStoredResult(item: Item, names: ItemAttributeNames): StoredResult {
  if (item[names.dataNotStored]?.BOOL === true) return { kind: 'not-stored' };
  const data = item[names.data];
  if (data === undefined) return { kind: 'undefined' };
  if (data.S !== undefined) return { kind: 'json', json: data.S };
  if (data.B !== undefined) return { kind: 'gzip', bytes: data.B };
  return { kind: 'unreadable' };
}

/**
 * Reads the completed steps of an item: none when it has no steps attribute.
 * @throws {IdempotencyRecordCorruptError} when the steps attribute or one of its entries has a type this library never writes.
 */
export function readSteps(item: Item | undefined, names: ItemAttributeNames): StepResults {
  const steps: StepResults = new Map();
  const stored = item?.[names.steps];
  if (stored === undefined) return steps;
  const id = item === undefined ? '' : recordIdOf(item, names);
  if (stored.M === undefined) throw unreadable(id, names.steps);
  for (const [name, value] of Object.entries(stored.M)) {
    if (value.S === undefined && value.NULL !== true) throw unreadable(id, `${names.steps}.${name}`);
    steps.set(name, value.S);
  }
  return steps;
}

/** The attribute value that stores one step's result. */
export const stepValue = (json: string | undefined): AttributeValue => (json === undefined ? { NULL: true } : { S: json });
