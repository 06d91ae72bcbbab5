import { RecordStatus } from '../record.js';
import type { ItemAttributeNames } from './dynamodb-item.js';
import type { Claim } from './store.js';
import { recordKey } from './dynamodb-table-key.js';

/** DynamoDB's limit on one item, attribute names and values together: 400 KB. */
const maxItemBytes = 400 * 1024;

/** DynamoDB's limit on the name of a partition key attribute, in UTF-8 bytes. */
export const maxKeyAttributeNameBytes = 255;

// A number takes at most 21 bytes: 38 significant digits, two per byte, plus one.
const maxNumberBytes = 21;
// What the lifecycle writes: hex SHA-256 record ids and fingerprints, UUID lease tokens.
const lifecycleClaim = { id: '0'.repeat(64), leaseToken: '0'.repeat(36), fingerprintHash: '0'.repeat(64) };

/** The UTF-8 size of `text`, as DynamoDB counts names and string values. */
export const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * The bytes left for the result value in the completed item of `claim`: 400 KB minus every other attribute, names
 * included, and the result attribute's own name. An upper bound on the rest: numbers count at their largest, the
 * status at its longer value, and the lease end although completion removes it.
 */
export function resultRoomBytes(claim: Pick<Claim, 'id' | 'leaseToken' | 'fingerprintHash'>, names: ItemAttributeNames): number {
  const keyStrings = Object.entries(recordKey(claim.id, names)).flatMap(([name, value]) => [name, value.S ?? '']);
  const strings = [...keyStrings, names.status, RecordStatus.InProgress, names.leaseToken, claim.leaseToken, names.data];
  if (claim.fingerprintHash !== undefined) strings.push(names.fingerprint, claim.fingerprintHash);
  const numberBytes = [names.expiry, names.leaseExpiry].reduce((sum, name) => sum + utf8Bytes(name) + maxNumberBytes, 0);
  return maxItemBytes - numberBytes - strings.reduce((sum, text) => sum + utf8Bytes(text), 0);
}

/** The largest `maxStoredResultBytes` that fits beside the other attributes of every record the lifecycle writes under `names`. */
export function largestStoredResultBytes(names: ItemAttributeNames): number {
  return resultRoomBytes(lifecycleClaim, names);
}
