import { invocationRecordId } from './invocation.js';
import type { IdempotencyLogger, LambdaContextLike, ResolvedIdempotencyOptions } from './options.js';
import { isRecordExpired, RecordStatus, type IdempotencyRecord } from './record.js';
import type { IdempotencyStore } from './store/store.js';

/** Records read ahead of a batch's claims, by record id: those `begin` may replay without claiming. */
export type ReadAhead = ReadonlyMap<string, IdempotencyRecord>;

const nothingRead: ReadAhead = new Map();

/**
 * Builds the lifecycle's `readAhead`: the records of `inputs` read in one `getMany` (one `BatchGetItem` per 100 on
 * DynamoDB), for inputs expected to be duplicates, such as redelivered SQS messages. Never throws: inputs without a
 * usable key are left out (their `begin` answers for them), and a store without `getMany` or a failed read reads
 * nothing, so every input claims its key as it would have.
 */
export function createReadAhead<TInput>(
  config: Pick<ResolvedIdempotencyOptions<TInput, unknown>, 'key' | 'namespace' | 'scope'>,
  store: IdempotencyStore,
  log: IdempotencyLogger,
): (inputs: readonly TInput[], context?: LambdaContextLike) => Promise<ReadAhead> {
  return async (inputs, context) => {
    if (store.getMany === undefined) return nothingRead;
    const ids = inputs.flatMap((input) => {
      try {
        const clientKey = config.key(input, context);
        return clientKey === undefined || clientKey === null ? [] : [invocationRecordId(config, input, context, clientKey)];
      } catch {
        return [];
      }
    });
    if (ids.length === 0) return nothingRead;
    try {
      return await store.getMany(ids);
    } catch (error) {
      log('Reading records ahead of their claims failed; each record claims its key instead', { error });
      return nothingRead;
    }
  };
}

/**
 * The record read ahead for `id` that `begin` may replay as a claim would: a COMPLETED one within its retention, whose
 * state can no longer change. Any other state (absent, in progress, expired) is left for the claim to meet.
 */
export function completedRecordReadAhead(readAhead: ReadAhead | undefined, id: string, nowMs: number): IdempotencyRecord | undefined {
  const record = readAhead?.get(id);
  return record?.status === RecordStatus.Completed && !isRecordExpired(record, nowMs) ? record : undefined;
}
