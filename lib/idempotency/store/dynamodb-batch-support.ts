import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Item, ItemAttributeNames } from './dynamodb-item.js';
import type { Claim, CompleteResult } from './store.js';

/** What a batch handler's reads and writes of many records need of a DynamoDB store: its table, its attribute names and its completion. */
export interface DynamoDBBatchSupport {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly names: ItemAttributeNames;
  /** The result attribute a completion of `claim` writes, and whether it stores the result itself. */
  resultOf(claim: Claim, result: unknown): { readonly attributes: Item; readonly resultStored: boolean };
  /** The store's own fenced `UpdateItem` completion. */
  complete(claim: Claim, result: unknown): Promise<CompleteResult>;
}

/**
 * Where a DynamoDB store keeps its {@link DynamoDBBatchSupport}: under a symbol, so that only the batch handlers, which
 * import `batchOperationsOf`, bundle the reads and writes of many records, and a handler without a batch does not.
 */
export const dynamoDBBatchSupport: unique symbol = Symbol.for('lambda-idempotency.dynamodb-batch-support');
