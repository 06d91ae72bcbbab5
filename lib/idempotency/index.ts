export { idempotency } from './middleware.js';
export { makeIdempotent } from './wrapper.js';
export { wasReplayed } from './claim-state.js';
export { createDynamoDBStore, dynamoDBStoreDefaults, type DynamoDBStore, type DynamoDBStoreOptions } from './store/dynamodb-store.js';
export type { IdempotencyStore, Claim, ClaimRequest, ClaimResult, CompleteResult, FencedWriteResult } from './store/store.js';
export { idempotencyDefaults, type IdempotencyOptions, type IdempotencyLogger, type LambdaContextLike } from './options.js';
export type { IdempotencyOutcome, IdempotencyOutcomeType } from './outcome.js';
export { RecordStatus, type IdempotencyRecord, type StoredResult } from './record.js';
export { disabledEnvironmentVariable } from './lifecycle.js';
export {
  IdempotencyError,
  IdempotencyKeyError,
  IdempotencyInProgressError,
  IdempotencyPayloadMismatchError,
  IdempotencyStoreError,
  IdempotencyResultNotStoredError,
  isIdempotencyError,
  isIdempotencyKeyError,
  isIdempotencyInProgressError,
  isIdempotencyPayloadMismatchError,
  isIdempotencyStoreError,
  isIdempotencyResultNotStoredError,
  type IdempotencyKeyProblem,
} from './errors.js';
