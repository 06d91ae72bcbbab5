import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { requireUncommittedClaim } from './claim-state.js';
import { completeWithWrites } from './store/dynamodb-transaction.js';

/** What {@link completeWithTransaction} writes. */
export interface TransactionCompletion {
  /** The handler's own writes (Put, Update, Delete, ConditionCheck), in DynamoDB attribute-value form; at most 99. */
  readonly writes: readonly TransactWriteItem[];
  /** The result the handler is about to return: stored and replayed to duplicates. */
  readonly result: unknown;
}

/**
 * Commits the handler's DynamoDB writes and the completion of its idempotency record in one `TransactWriteItems`:
 * all of them or none. The completion is fenced on the claim's lease token, so an invocation whose lease was taken
 * over writes nothing. Afterwards the adapter makes no further write; return the same `result` you passed.
 *
 * Reach the claim through the Lambda `context` (any adapter) or the Middy `request`: the claim completed is always
 * that of the call this code runs in, also when wrapped calls share one context concurrently, nest inside each other
 * or inside a Middy handler, or run per SQS record. When idempotency was skipped for this invocation, only `writes`
 * are committed.
 * @throws {TypeError} when no running claim is bound to `contextOrRequest`, when it was already committed, or when there are more than 99 writes.
 * @throws {IdempotencyClaimAmbiguousError} when a context names several running Middy claims; pass the Middy request.
 * @throws {IdempotencyLeaseLostError} when another invocation took the key over; nothing was written.
 * @throws {IdempotencyTransactionUnsupportedError} when the store is not a DynamoDB store (e.g. the Redis store); nothing was written.
 * @throws {IdempotencyTransactionCanceledError} when your own items' conditions cancelled it, with each item's reason.
 * @throws {IdempotencyStoreError} when DynamoDB failed, or cancelled it for a transient reason (throttling, a conflict); nothing was written.
 * @example
 * ```ts
 * import middy from '@middy/core';
 * import type { Context } from 'aws-lambda';
 * import { completeWithTransaction, createDynamoDBStore, idempotency } from 'lambda-idempotency';
 * const store = createDynamoDBStore({ tableName: 'idempotency' });
 * export const handler = middy(async (event: { orderId: string }, context: Context) => {
 *   const result = { orderId: event.orderId, status: 'PLACED' };
 *   const put = { Put: { TableName: 'orders', Item: { orderId: { S: event.orderId } }, ConditionExpression: 'attribute_not_exists(orderId)' } };
 *   await completeWithTransaction(context, { writes: [put], result });
 *   return result;
 * }).use(idempotency({ store, key: (event) => event.orderId }));
 * ```
 */
export async function completeWithTransaction(contextOrRequest: object, completion: TransactionCompletion): Promise<void> {
  const held = requireUncommittedClaim(contextOrRequest);
  await held.commit(completion.writes, completion.result, completeWithWrites);
}
