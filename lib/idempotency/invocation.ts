import { hashFingerprint } from './fingerprint.js';
import { deriveRecordId } from './key.js';
import type { LambdaContextLike, ResolvedIdempotencyOptions } from './options.js';
import type { StoredResult } from './record.js';
import type { DynamoDBStore } from './store/dynamodb-store.js';
import type { IdempotencyStore } from './store/store.js';

/**
 * The stored key and fingerprint of one invocation, computed once from its input before the handler can touch it.
 * @throws {IdempotencyKeyError} when the client key is invalid.
 */
export function identifyInvocation<TInput>(
  config: Pick<ResolvedIdempotencyOptions<TInput, unknown>, 'namespace' | 'scope' | 'fingerprint'>,
  input: TInput,
  context: LambdaContextLike | undefined,
  clientKey: unknown,
): { id: string; fingerprintHash: string | undefined } {
  return {
    id: deriveRecordId({
      functionName: context?.functionName ?? process.env.AWS_LAMBDA_FUNCTION_NAME ?? '',
      namespace: config.namespace,
      scope: config.scope?.(input, context),
      // deriveRecordId checks the key, whatever its type.
      clientKey: clientKey as string,
    }),
    fingerprintHash: config.fingerprint === undefined ? undefined : hashFingerprint(config.fingerprint(input)),
  };
}

/** The lease in ms: until the invocation is dead at its deadline, or the fallback without a usable context. */
export function leaseMsFor(context: LambdaContextLike | undefined, fallbackLeaseSeconds: number): number {
  const remainingMs = context?.getRemainingTimeInMillis?.() ?? 0;
  return remainingMs > 0 ? remainingMs : fallbackLeaseSeconds * 1000;
}

/** The stored result the local cache keeps for a completion, mirroring what the store wrote. */
export function cachedResult(stored: unknown, resultStored: boolean): StoredResult {
  if (!resultStored) return { kind: 'not-stored' };
  return stored === undefined ? { kind: 'undefined' } : { kind: 'json', json: JSON.stringify(stored) };
}

/** True when the store can complete a record inside the caller's transaction. */
export const isTransactionalStore = (store: IdempotencyStore): store is IdempotencyStore & Pick<DynamoDBStore, 'client' | 'completionUpdate'> =>
  typeof (store as Partial<DynamoDBStore>).completionUpdate === 'function';
