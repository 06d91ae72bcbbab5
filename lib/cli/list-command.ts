import { ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import type { RecordStatus } from '../idempotency/index.js';
import type { ItemAttributeNames } from '../idempotency/store/dynamodb-item.js';
import { recordIdOf, sortKeyLayout } from '../idempotency/store/dynamodb-table-key.js';
import { note, printLines } from './output.js';
import type { RecordTable } from './record-table.js';
import { isoTime } from './record-view.js';

/** Options of {@link listRecords}. */
export interface ListOptions {
  readonly status?: RecordStatus;
  readonly json: boolean;
  /** Items DynamoDB reads per page. @default undefined: DynamoDB's 1 MB pages */
  readonly pageSize?: number;
}

/** One line of `list`, in the shape `--json` prints; a field the item lacks is `null`. */
export interface ListedRecord {
  readonly id: string;
  readonly status: string | null;
  readonly leaseExpiresAtEpochMs: number | null;
  readonly leaseExpiresAt: string | null;
  readonly expiresAtEpochSeconds: number | null;
  readonly expiresAt: string | null;
}

/**
 * Pages through the table with `Scan`, printing each record's id, status, lease end and retention end as it comes
 * (text columns or JSON lines), and after each page that has a next one, how far it got on stderr.
 */
export async function listRecords(table: RecordTable, options: ListOptions): Promise<void> {
  const { store, names } = table;
  const filter = listFilter(names, options.status);
  let startKey: Record<string, AttributeValue> | undefined;
  let [pages, scanned, listed] = [0, 0, 0];
  do {
    const page = await store.client.send(
      new ScanCommand({
        TableName: store.tableName,
        // Only the listed attributes: a stored result can be hundreds of KB a record.
        ProjectionExpression: '#key, #status, #leaseExpiry, #expiry',
        ...filter,
        ExpressionAttributeNames: {
          ...filter.ExpressionAttributeNames,
          '#key': names.key,
          '#status': names.status,
          '#leaseExpiry': names.leaseExpiry,
          '#expiry': names.expiry,
        },
        Limit: options.pageSize,
        ExclusiveStartKey: startKey,
      }),
    );
    const records = (page.Items ?? []).map((item) => toListedRecord(item, names));
    // The header waits for the first page, so that a table that cannot be read prints only its error.
    const header = !options.json && pages === 0 ? [`${'RECORD ID'.padEnd(64)}  ${'STATUS'.padEnd(11)}  ${'LEASE END'.padEnd(24)}  RETENTION END`] : [];
    await printLines([...header, ...records.map((record) => (options.json ? JSON.stringify(record) : formatRow(record)))]);
    [pages, scanned, listed] = [pages + 1, scanned + (page.ScannedCount ?? 0), listed + records.length];
    startKey = page.LastEvaluatedKey;
    if (startKey !== undefined) note(`Scanned ${scanned} items, listed ${listed}, page ${pages}; reading on...`);
  } while (startKey !== undefined);
  if (pages > 1) note(`Scanned ${scanned} items, listed ${listed}, in ${pages} pages.`);
}

/**
 * What `list` keeps of a scan: on a table whose key has a sort key (a single-table design), only idempotency records,
 * not the other items that share the table; then only records in `status`, if given.
 */
function listFilter(
  names: ItemAttributeNames,
  status: RecordStatus | undefined,
): { FilterExpression?: string; ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, AttributeValue> } {
  const conditions: string[] = [];
  const attributeNames: Record<string, string> = {};
  const values: Record<string, AttributeValue> = {};
  if (names.sortKey !== undefined) {
    conditions.push('#sortKey = :recordSort AND begins_with(#key, :recordPrefix)');
    attributeNames['#sortKey'] = names.sortKey;
    values[':recordSort'] = { S: sortKeyLayout.sortValue };
    values[':recordPrefix'] = { S: sortKeyLayout.partitionPrefix };
  }
  if (status !== undefined) {
    conditions.push('#status = :status');
    values[':status'] = { S: status };
  }
  if (conditions.length === 0) return {};
  return { FilterExpression: conditions.join(' AND '), ExpressionAttributeNames: attributeNames, ExpressionAttributeValues: values };
}

// Read leniently: a listing shows every item, also one the library could not read.
function toListedRecord(item: Record<string, AttributeValue>, names: ItemAttributeNames): ListedRecord {
  const number = (name: string) => (item[name]?.N === undefined ? null : Number(item[name]?.N));
  const leaseMs = number(names.leaseExpiry);
  const expirySeconds = number(names.expiry);
  return {
    id: recordIdOf(item, names),
    status: item[names.status]?.S ?? null,
    leaseExpiresAtEpochMs: leaseMs,
    leaseExpiresAt: isoTime(leaseMs),
    expiresAtEpochSeconds: expirySeconds,
    expiresAt: isoTime(expirySeconds === null ? null : expirySeconds * 1000),
  };
}

function formatRow(record: ListedRecord): string {
  return `${record.id.padEnd(64)}  ${(record.status ?? '?').padEnd(11)}  ${(record.leaseExpiresAt ?? '-').padEnd(24)}  ${record.expiresAt ?? '-'}`;
}
