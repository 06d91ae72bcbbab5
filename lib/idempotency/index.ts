export { idempotency } from './middleware.js';
export { makeIdempotent } from './wrapper.js';
export { withIdempotencyTimeout, type MiddyTimeoutPlugin } from './middy-timeout.js';
export { wasReplayed } from './claim-state.js';
export { createDynamoDBStore, dynamoDBStoreDefaults, type DynamoDBStore, type DynamoDBStoreOptions } from './store/dynamodb-store.js';
export type { IdempotencyStore, Claim, ClaimRequest, ClaimResult, CompleteResult, FencedWriteResult, StepResults } from './store/store.js';
export { idempotencyDefaults, type IdempotencyOptions, type IdempotencyLogger, type LambdaContextLike } from './options.js';
export type { IdempotencyOutcome, IdempotencyOutcomeType } from './outcome.js';
export { createOutcomeMetrics, outcomeMetricsDefaults, type OutcomeMetrics, type OutcomeMetricsOptions } from './metrics/outcome-metrics.js';
export { idempotencyMetricNames, outcomeMetricNames } from './metrics/metric-names.js';
export { RecordStatus, type IdempotencyRecord, type StoredResult } from './record.js';
export { deriveRecordId, type RecordIdParts } from './key.js';
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
export { httpIdempotency, httpIdempotencyDefaults, type HttpIdempotencyOptions } from './http/http-idempotency.js';
export type { HttpEvent } from './http/http-event.js';
export { shouldStoreHttpResponse, type HttpResponse } from './http/http-response.js';
export { idempotencyKeyHeader, readIdempotencyKey } from './http/idempotency-key-header.js';
export { fingerprintRequest, type RequestFingerprint } from './http/request-fingerprint.js';
export { readCallerScope } from './http/caller-scope.js';
export { idempotencyProblemResponse, problemResponse, storeUnavailableRetryAfterSeconds, type Problem } from './http/problem.js';
export { replayedHeader } from './http/replay-headers.js';
export {
  createSqsBatchHandler,
  sqsBatchHandlerDefaults,
  type SqsBatchHandler,
  type SqsBatchHandlerOptions,
  type SqsRecordHandler,
} from './sqs/sqs-batch-handler.js';
export {
  createStreamBatchHandler,
  streamBatchHandlerDefaults,
  type StreamBatchHandler,
  type StreamBatchHandlerOptions,
  type StreamRecordHandler,
} from './streams/stream-batch-handler.js';
export type { StreamBatchResponse } from './streams/process-stream-records.js';
export type { StreamRecord } from './streams/stream-record.js';
export type { BatchConcurrencyOptions } from './batch/idempotent-records.js';
export { completeWithTransaction, type TransactionCompletion } from './transaction.js';
export { maxTransactionWrites } from './store/dynamodb-transaction.js';
export { step, maxStepBytes, maxStepNameLength, type StepContext } from './step.js';
export {
  IdempotencyLeaseLostError,
  IdempotencyRecordCorruptError,
  IdempotencyTransactionCanceledError,
  IdempotencyClaimAmbiguousError,
  IdempotencyTransactionUnsupportedError,
  IdempotencyStepTooLargeError,
  IdempotencyStepsUnsupportedError,
  isIdempotencyStepTooLargeError,
  isIdempotencyStepsUnsupportedError,
  isIdempotencyLeaseLostError,
  isIdempotencyClaimAmbiguousError,
  isIdempotencyRecordCorruptError,
  isIdempotencyTransactionCanceledError,
  isIdempotencyTransactionUnsupportedError,
  type TransactionCancellationReason,
} from './errors.js';
