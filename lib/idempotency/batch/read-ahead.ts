import type { Lifecycle } from '../lifecycle.js';
import type { IdempotencyLogger, LambdaContextLike } from '../options.js';
import type { ReadAhead } from '../read-ahead.js';
import { batchOperationsOf } from '../store/dynamodb-batch-operations.js';

const nothingRead: ReadAhead = new Map();

/**
 * Builds a batch handler's read ahead: the records of `inputs` read in one `getMany` (one `BatchGetItem` per 100 on
 * DynamoDB), for inputs expected to be duplicates, such as redelivered SQS messages; `begin` then replays those it
 * may. Never throws: inputs `begin` would not claim are left out (their `begin` answers for them), and with a store
 * without `getMany` or a failed read, nothing is read, so every input claims its key as it would have.
 * Lives in the batch layer rather than the lifecycle, so that only batch handlers bundle it.
 */
export function createReadAhead<TInput>(
  lifecycle: Pick<Lifecycle<TInput, unknown>, 'store' | 'claimRequest'>,
  log: IdempotencyLogger,
): (inputs: readonly TInput[], context?: LambdaContextLike) => Promise<ReadAhead> {
  const { getMany } = batchOperationsOf(lifecycle.store);
  return async (inputs, context) => {
    if (getMany === undefined) return nothingRead;
    const ids = inputs.flatMap((input) => lifecycle.claimRequest(input, context)?.id ?? []);
    if (ids.length === 0) return nothingRead;
    try {
      return await getMany(ids);
    } catch (error) {
      log('Reading records ahead of their claims failed; each record claims its key instead', { error });
      return nothingRead;
    }
  };
}
