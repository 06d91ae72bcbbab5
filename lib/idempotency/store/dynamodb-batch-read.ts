import { BatchGetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IdempotencyRecordCorruptError, IdempotencyStoreError } from '../errors.js';
import type { IdempotencyRecord } from '../record.js';
import { fromItem, type ItemAttributeNames } from './dynamodb-item.js';
import { recordKey } from './dynamodb-table-key.js';
import { chunksOf } from './chunks.js';

/** The most keys one `BatchGetItem` may ask for (a DynamoDB limit). */
export const batchGetItemMaxKeys = 100;

/**
 * Builds the store's `getMany`: the records of `ids` read with strongly consistent `BatchGetItem`s of at most 100 keys,
 * sent at once. Best effort, as {@link IdempotencyStore.getMany} allows: keys DynamoDB leaves unprocessed (throttling,
 * a 16 MB answer) and records that cannot be read are left out, for their claims to meet.
 */
export function createDynamoDBBatchRead(store: { client: DynamoDBClient; tableName: string; names: ItemAttributeNames }) {
  const { client, tableName, names } = store;
  const readChunk = async (ids: readonly string[]) => {
    try {
      const answer = await client.send(
        new BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: ids.map((id) => recordKey(id, names)), ConsistentRead: true } } }),
      );
      return answer.Responses?.[tableName] ?? [];
    } catch (error) {
      throw new IdempotencyStoreError(`DynamoDB BatchGetItem failed for ${ids.length} idempotency records in table ${tableName}`, { cause: error });
    }
  };
  return async (ids: readonly string[]): Promise<ReadonlyMap<string, IdempotencyRecord>> => {
    const asked = new Set(ids);
    const unique = [...asked];
    const items = (await Promise.all(chunksOf(unique, batchGetItemMaxKeys).map(readChunk))).flat();
    const records = new Map<string, IdempotencyRecord>();
    for (const item of items) {
      const record = readableRecord(item, names);
      if (record !== undefined && asked.has(record.id)) records.set(record.id, record);
    }
    return records;
  };
}

// An unreadable record is left for the claim, which reports it the way every other path does.
function readableRecord(item: Parameters<typeof fromItem>[0], names: ItemAttributeNames): IdempotencyRecord | undefined {
  try {
    return fromItem(item, names);
  } catch (error) {
    if (error instanceof IdempotencyRecordCorruptError) return undefined;
    throw error;
  }
}
