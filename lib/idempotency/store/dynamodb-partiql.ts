import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { RecordStatus } from '../record.js';
import type { Item, ItemAttributeNames } from './dynamodb-item.js';
import { recordKey } from './dynamodb-table-key.js';

/** The most statements one `BatchExecuteStatement` may carry (a DynamoDB limit). */
export const batchExecuteStatementMaxStatements = 25;

/** One PartiQL statement with its parameters, as a `BatchExecuteStatement` takes it. */
export interface PartiQLStatement {
  readonly Statement: string;
  readonly Parameters: AttributeValue[];
}

// PartiQL quotes a table or attribute name in double quotes, and a string literal (a tuple's attribute name) in
// single quotes, each doubling its own quote inside; values always go as parameters.
const identifier = (name: string) => `"${name.replaceAll('"', '""')}"`;
const literal = (name: string) => `'${name.replaceAll("'", "''")}'`;

/** An `INSERT` of `item` into `tableName`: DynamoDB writes it only when no item has its key (else `DuplicateItem`). */
export function insertStatement(tableName: string, item: Item): PartiQLStatement {
  const tuple = Object.keys(item).map((name) => `${literal(name)}: ?`);
  return { Statement: `INSERT INTO ${identifier(tableName)} VALUE {${tuple.join(', ')}}`, Parameters: Object.values(item) };
}

/**
 * The fenced completion of a claim as an `UPDATE`: the same change and condition as the `UpdateItem` completion
 * (`createItemExpressions().complete`): COMPLETED, the retention end as TTL and at most one result attribute, the lease
 * and the steps removed; only while the record is IN_PROGRESS under `leaseToken` (else `ConditionalCheckFailed`).
 */
export function completeStatement(
  tableName: string,
  names: ItemAttributeNames,
  completion: { readonly id: string; readonly leaseToken: string; readonly expiresAtEpochSeconds: number; readonly result: Item },
): PartiQLStatement {
  const set: [string, AttributeValue][] = [
    [names.status, { S: RecordStatus.Completed }],
    [names.expiry, { N: String(completion.expiresAtEpochSeconds) }],
    ...Object.entries(completion.result),
  ];
  const where: [string, AttributeValue][] = [
    ...Object.entries(recordKey(completion.id, names)),
    [names.status, { S: RecordStatus.InProgress }],
    [names.leaseToken, { S: completion.leaseToken }],
  ];
  const statement = [
    `UPDATE ${identifier(tableName)}`,
    ...set.map(([name]) => `SET ${identifier(name)} = ?`),
    `REMOVE ${identifier(names.leaseExpiry)}`,
    `REMOVE ${identifier(names.steps)}`,
    `WHERE ${where.map(([name]) => `${identifier(name)} = ?`).join(' AND ')}`,
  ].join(' ');
  return { Statement: statement, Parameters: [...set, ...where].map(([, value]) => value) };
}
