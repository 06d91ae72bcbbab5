import { BatchExecuteStatementCommand, type BatchStatementResponse, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IdempotencyStoreError } from '../errors.js';
import { RecordStatus } from '../record.js';
import { chunksOf } from './chunks.js';
import { isOwnWrite, type Item, type ItemAttributeNames } from './dynamodb-item.js';
import { utf8Bytes } from './dynamodb-item-size.js';
import { batchExecuteStatementMaxStatements, completeStatement, type PartiQLStatement } from './dynamodb-partiql.js';
import type { Claim, CompleteResult, Completion } from './store.js';

/**
 * The largest result, in bytes as stored, that a batched completion carries: a larger one completes alone, with its
 * own `UpdateItem`, so that a batch request stays well under a megabyte.
 */
export const batchedResultMaxBytes = 32 * 1024;

/** The error code of a fenced write whose condition failed: the record is not this claim's IN_PROGRESS one. */
const conditionFailed = 'ConditionalCheckFailed';

interface PreparedCompletion extends Completion {
  readonly statement: PartiQLStatement;
  readonly resultStored: boolean;
}

const storedBytes = (attributes: Item) =>
  Object.values(attributes).reduce((sum, value) => sum + (value.S !== undefined ? utf8Bytes(value.S) : (value.B?.byteLength ?? 1)), 0);

/**
 * Builds the store's `completeMany`: each completion written by a fenced PartiQL `UPDATE` (the same change and
 * condition as the `UpdateItem` completion), in `BatchExecuteStatement`s of at most 25 statements, sent at once. Each
 * statement succeeds or fails alone. A refused condition answers with the record as it is (`ALL_OLD`), which tells this
 * claim's own earlier write from a takeover, as `complete` does. A completion whose statement got no such answer
 * (DynamoDB refused the statement for another reason, or returned no record) completes alone through `completeAlone`,
 * whose fenced `UpdateItem` recognises a batched write that did land. A failed call (or a lost answer) throws, so that
 * the caller can say so and complete each on its own.
 */
export function createDynamoDBBatchComplete(store: {
  client: DynamoDBClient;
  tableName: string;
  names: ItemAttributeNames;
  /** The result attribute a completion of `claim` writes, and whether it stores the result itself. */
  resultOf: (claim: Claim, result: unknown) => { readonly attributes: Item; readonly resultStored: boolean };
  completeAlone: (claim: Claim, result: unknown) => Promise<CompleteResult>;
}) {
  const { client, tableName, names, completeAlone } = store;

  const answerOf = (completion: PreparedCompletion, response: BatchStatementResponse | undefined): Promise<CompleteResult> | CompleteResult => {
    if (response !== undefined && response.Error === undefined) return { kind: 'completed', resultStored: completion.resultStored };
    const current = response?.Error?.Code === conditionFailed ? response.Error.Item : undefined;
    if (current === undefined) return completeAlone(completion.claim, completion.result);
    return isOwnWrite(current, names, completion.claim.leaseToken, RecordStatus.Completed)
      ? { kind: 'completed', resultStored: completion.resultStored }
      : { kind: 'lease-lost' };
  };

  // The statements' answers, in their order.
  const sendChunk = async (completions: readonly PreparedCompletion[]): Promise<BatchStatementResponse[] | undefined> => {
    try {
      const statements = completions.map(({ statement }) => ({ ...statement, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const }));
      return (await client.send(new BatchExecuteStatementCommand({ Statements: statements }))).Responses;
    } catch (error) {
      throw new IdempotencyStoreError(`DynamoDB BatchExecuteStatement failed for ${completions.length} idempotency completions in table ${tableName}`, {
        cause: error,
      });
    }
  };

  return async (completions: readonly Completion[]): Promise<CompleteResult[]> => {
    const prepared = completions.map(({ claim, result }) => {
      const { attributes, resultStored } = store.resultOf(claim, result);
      const statement = completeStatement(tableName, names, { ...claim, result: attributes });
      return { claim, result, statement, resultStored, batched: storedBytes(attributes) <= batchedResultMaxBytes };
    });
    const answers = new Map<PreparedCompletion, Promise<CompleteResult>>();
    for (const chunk of chunksOf(
      prepared.filter((completion) => completion.batched),
      batchExecuteStatementMaxStatements,
    )) {
      const responses = sendChunk(chunk);
      for (const [index, completion] of chunk.entries())
        answers.set(
          completion,
          responses.then((all) => answerOf(completion, all?.[index])),
        );
    }
    return Promise.all(prepared.map((completion) => answers.get(completion) ?? completeAlone(completion.claim, completion.result)));
  };
}
