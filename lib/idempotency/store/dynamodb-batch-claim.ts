import { BatchExecuteStatementCommand, type BatchStatementResponse, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IdempotencyStoreError } from '../errors.js';
import { chunksOf } from './chunks.js';
import { toClaimItem, type ItemAttributeNames } from './dynamodb-item.js';
import { batchExecuteStatementMaxStatements, insertStatement } from './dynamodb-partiql.js';
import { newClaim } from './new-claim.js';
import type { Claim, TokenedClaimRequest } from './store.js';

/** The error code of a PartiQL `INSERT` refused because an item with its key exists: the key is not free. */
const keyHasRecord = 'DuplicateItem';

/**
 * Builds the store's `claimMany`: each claim item written by a PartiQL `INSERT`, which DynamoDB applies only when no
 * item has its key, in `BatchExecuteStatement`s of at most 25 statements, sent at once. A batch statement is not a
 * transaction: each `INSERT` succeeds or fails alone, at the write units of a `PutItem`. An `INSERT` covers only the
 * absent key, the claim of a new record; a key with a record (in progress, completed, expired, with steps) answers
 * `DuplicateItem` and is left to its own claim, which meets every such state.
 */
export function createDynamoDBBatchClaim(store: { client: DynamoDBClient; tableName: string; names: ItemAttributeNames }) {
  const { client, tableName, names } = store;
  const failure = (count: number, cause: unknown) =>
    new IdempotencyStoreError(`DynamoDB BatchExecuteStatement failed for ${count} idempotency records in table ${tableName}`, { cause });

  const claimChunk = async (claims: readonly Claim[]): Promise<Claim[]> => {
    let responses: BatchStatementResponse[];
    try {
      const answer = await client.send(
        new BatchExecuteStatementCommand({ Statements: claims.map((claim) => insertStatement(tableName, toClaimItem(claim, names))) }),
      );
      responses = answer.Responses ?? [];
    } catch (error) {
      throw failure(claims.length, error);
    }
    // Answers come in the order of the statements; one without an error is a claim made.
    const refused = responses.map((response) => response.Error?.Code).filter((code) => code !== undefined && code !== keyHasRecord);
    if (refused.length > 0) throw failure(claims.length, new Error(`Statements refused: ${[...new Set(refused)].join(', ')}`));
    return claims.filter((_, index) => responses[index] !== undefined && responses[index].Error === undefined);
  };

  return async (requests: readonly TokenedClaimRequest[]): Promise<ReadonlyMap<string, Claim>> => {
    // A store with steps returns them with every claim: a new record has none.
    const claims = requests.map((request): Claim => ({ ...newClaim(request), steps: new Map() }));
    const made = (await Promise.all(chunksOf(claims, batchExecuteStatementMaxStatements).map(claimChunk))).flat();
    return new Map(made.map((claim) => [claim.id, claim]));
  };
}
