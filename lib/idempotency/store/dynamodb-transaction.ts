import { TransactionCanceledException, TransactWriteItemsCommand, type DynamoDBClient, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { IdempotencyStoreError, IdempotencyTransactionCanceledError } from '../errors.js';
import type { DynamoDBStore } from './dynamodb-store.js';
import type { Claim, CompleteResult } from './store.js';

/** DynamoDB allows 100 items in one transaction; one of them is the idempotency record's completion. */
export const maxTransactionWrites = 99;

/** The completion update of the idempotency record, in the shape a `TransactWriteItem.Update` takes. */
export type CompletionUpdate = NonNullable<TransactWriteItem['Update']>;

/**
 * Writes the caller's items and the completion of the idempotency record in one `TransactWriteItems`: all or nothing.
 * Without a completion (idempotency skipped for this invocation) only the caller's items are written.
 * @throws {TypeError} when there are more than {@link maxTransactionWrites} writes.
 * @throws {IdempotencyTransactionCanceledError} when only conditions of the caller's own items cancelled it, with each item's reason.
 * @throws {IdempotencyStoreError} when DynamoDB failed otherwise, including a cancellation for a transient reason.
 */
export async function transactWithCompletion(
  client: DynamoDBClient,
  writes: readonly TransactWriteItem[],
  completion: CompletionUpdate | undefined,
): Promise<CompleteResult['kind']> {
  if (!Array.isArray(writes) || writes.length > maxTransactionWrites) {
    throw new TypeError(
      `Expected \`writes\` to be an array of at most ${maxTransactionWrites} items, got ${Array.isArray(writes) ? writes.length : String(writes)}.`,
    );
  }
  const items = completion === undefined ? [...writes] : [...writes, { Update: completion }];
  try {
    await client.send(new TransactWriteItemsCommand({ TransactItems: items }));
    return 'completed';
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw new IdempotencyStoreError('DynamoDB TransactWriteItems failed', { cause: error });
    const reasons = error.CancellationReasons ?? [];
    // The completion is the last item: its own condition failing means our fence refused, not the caller's items.
    if (completion !== undefined && reasons[writes.length]?.Code === 'ConditionalCheckFailed') return 'lease-lost';
    const failed = reasons
      .map((reason, index) => ({ index, code: reason.Code ?? 'None', message: reason.Message, ...(reason.Item === undefined ? {} : { item: reason.Item }) }))
      .filter((reason) => reason.code !== 'None');
    // Only a failed condition of the caller's own items is the caller's answer. Anything else (throttling, a conflict
    // with another transaction, capacity) may pass on a retry: a store error, after which the key is released.
    const callersOwn = failed.length > 0 && failed.every((reason) => reason.index < writes.length && reason.code === 'ConditionalCheckFailed');
    if (!callersOwn)
      throw new IdempotencyStoreError(`DynamoDB cancelled the transaction (${failed.map((reason) => reason.code).join(', ') || 'no reason'})`, {
        cause: error,
      });
    throw new IdempotencyTransactionCanceledError(failed, { cause: error });
  }
}

/**
 * Writes `writes` and completes `claim` with `result` in one `TransactWriteItems`; without a claim, only `writes`.
 * Lives here, not in the store, so that handlers which never use transactions do not bundle this module.
 * @throws {IdempotencyTransactionCanceledError} when the caller's items' conditions cancelled it; nothing was written.
 */
export async function completeWithWrites(
  store: Pick<DynamoDBStore, 'client' | 'completionUpdate'>,
  claim: Claim | undefined,
  result: unknown,
  writes: readonly TransactWriteItem[],
): Promise<CompleteResult> {
  const completion = claim === undefined ? undefined : store.completionUpdate(claim, result);
  const kind = await transactWithCompletion(store.client, writes, completion?.update);
  return kind === 'lease-lost' ? { kind } : { kind, resultStored: completion?.resultStored ?? false };
}
