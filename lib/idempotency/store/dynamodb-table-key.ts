import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** The names of a table's key: its partition key and, in a single-table design, its sort key. */
export interface TableKeyNames {
  /** Partition key (S). */
  readonly key: string;
  /** Sort key (S), when the table's key has one. */
  readonly sortKey?: string;
}

/**
 * Where a record sits in a table whose key has a sort key: partition `idempotency#<record id>`, sort `idempotency`.
 * The record id is a SHA-256, so records spread evenly over partitions (no hot partition), and the prefix keeps them
 * apart from the other item types of a single-table design.
 */
export const sortKeyLayout = { partitionPrefix: 'idempotency#', sortValue: 'idempotency' } as const;

/** The key attributes of record `id`: the id itself as partition key, or the {@link sortKeyLayout} pair. */
export function recordKey(id: string, names: TableKeyNames): Record<string, AttributeValue> {
  if (names.sortKey === undefined) return { [names.key]: { S: id } };
  return { [names.key]: { S: `${sortKeyLayout.partitionPrefix}${id}` }, [names.sortKey]: { S: sortKeyLayout.sortValue } };
}

/** The record id an item's key holds: the inverse of {@link recordKey}. */
export function recordIdOf(item: Record<string, AttributeValue>, names: TableKeyNames): string {
  const partition = item[names.key]?.S ?? '';
  const { partitionPrefix } = sortKeyLayout;
  return names.sortKey !== undefined && partition.startsWith(partitionPrefix) ? partition.slice(partitionPrefix.length) : partition;
}
