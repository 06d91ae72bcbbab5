import type { ClaimRequests } from '../claim-ahead.js';
import type { IdempotencyLogger } from '../options.js';
import type { ReadAhead } from '../read-ahead.js';
import { batchOperationsOf } from '../store/dynamodb-batch-operations.js';
import type { IdempotencyStore } from '../store/store.js';

const nothingRead: ReadAhead = new Map();

/**
 * Builds a batch handler's read ahead: the records of `inputs` read in one `getMany` (one `BatchGetItem` per 100 on
 * DynamoDB), for inputs expected to be duplicates, such as redelivered SQS messages; `begin` then replays those it
 * may. Never throws: inputs without a claim request in `requests` (`begin` would not claim them) are left out, and with a store
 * without `getMany` or a failed read, nothing is read, so every input claims its key as it would have.
 * Lives in the batch layer rather than the lifecycle, so that only batch handlers bundle it.
 */
export function createReadAhead<TInput>(
  store: IdempotencyStore,
  log: IdempotencyLogger,
): (inputs: readonly TInput[], requests: ClaimRequests) => Promise<ReadAhead> {
  const { getMany } = batchOperationsOf(store);
  return async (inputs, requests) => {
    if (getMany === undefined) return nothingRead;
    const ids = inputs.flatMap((input) => requests.get(input)?.id ?? []);
    if (ids.length === 0) return nothingRead;
    try {
      return await getMany(ids);
    } catch (error) {
      log('Reading records ahead of their claims failed; each record claims its key instead', { error });
      return nothingRead;
    }
  };
}
