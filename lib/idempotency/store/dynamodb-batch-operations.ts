import { createDynamoDBBatchClaim } from './dynamodb-batch-claim.js';
import { createDynamoDBBatchComplete } from './dynamodb-batch-complete.js';
import { createDynamoDBBatchRead } from './dynamodb-batch-read.js';
import { dynamoDBBatchSupport, type DynamoDBBatchSupport } from './dynamodb-batch-support.js';
import type { IdempotencyStore } from './store.js';

/** The operations on many records a batch handler uses, each optional: a store without one does the work record by record. */
export type BatchOperations = Pick<IdempotencyStore, 'getMany' | 'claimMany' | 'completeMany'>;

/**
 * The operations on many records of `store`: for a DynamoDB store, `BatchGetItem`s of 100 keys, and PartiQL `INSERT`s
 * and fenced `UPDATE`s, 25 per `BatchExecuteStatement`; for another store, those of its own it has (none for the Redis store).
 */
export function batchOperationsOf(store: IdempotencyStore): BatchOperations {
  const support = (store as { [dynamoDBBatchSupport]?: DynamoDBBatchSupport })[dynamoDBBatchSupport];
  if (support === undefined) {
    return { getMany: store.getMany?.bind(store), claimMany: store.claimMany?.bind(store), completeMany: store.completeMany?.bind(store) };
  }
  return {
    getMany: createDynamoDBBatchRead(support),
    claimMany: createDynamoDBBatchClaim(support),
    completeMany: createDynamoDBBatchComplete({ ...support, completeAlone: support.complete }),
  };
}
