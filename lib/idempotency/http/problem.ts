import {
  IdempotencyInProgressError,
  IdempotencyKeyError,
  IdempotencyLeaseLostError,
  IdempotencyPayloadMismatchError,
  IdempotencyRecordCorruptError,
  IdempotencyResultNotStoredError,
  IdempotencyStoreError,
  type IdempotencyError,
} from '../errors.js';
import type { HttpResponse } from './http-response.js';

/** An RFC 9457 problem: what every refusal of {@link httpIdempotency} carries as `application/problem+json`. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
}

/** How long a client waits before retrying when the store is unreachable, in seconds. */
export const storeUnavailableRetryAfterSeconds = 1;

interface ProblemRow {
  readonly matches: (error: IdempotencyError) => boolean;
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly retryAfterSeconds?: (error: IdempotencyError) => number;
  /** A fixed `detail`, for errors whose message names internals. @default the error's message */
  readonly detail?: string;
}

// The one table from error class to HTTP answer. Order matters only for the two key problems, which share a class.
const problemTable: readonly ProblemRow[] = [
  { matches: (e) => e instanceof IdempotencyKeyError && e.problem === 'missing', status: 400, type: 'urn:lambda-idempotency:key-missing', title: 'Idempotency key required' },
  { matches: (e) => e instanceof IdempotencyKeyError, status: 400, type: 'urn:lambda-idempotency:key-invalid', title: 'Invalid idempotency key' },
  { matches: (e) => e instanceof IdempotencyPayloadMismatchError, status: 422, type: 'urn:lambda-idempotency:payload-mismatch', title: 'Idempotency key reused with another payload' },
  {
    matches: (e) => e instanceof IdempotencyInProgressError,
    status: 409,
    type: 'urn:lambda-idempotency:in-progress',
    title: 'Request with this idempotency key in progress',
    retryAfterSeconds: (e) => (e as IdempotencyInProgressError).retryAfterSeconds,
  },
  // Another invocation took the request over and will store its answer: retrying shortly gets the replay.
  {
    matches: (e) => e instanceof IdempotencyLeaseLostError,
    status: 409,
    type: 'urn:lambda-idempotency:lease-lost',
    title: 'Request with this idempotency key taken over',
    retryAfterSeconds: () => 1,
  },
  // 409, not 5xx: the request was processed once, so retrying cannot help; the client reads the resource instead.
  { matches: (e) => e instanceof IdempotencyResultNotStoredError, status: 409, type: 'urn:lambda-idempotency:result-not-stored', title: 'Response not stored' },
  // 500 without Retry-After: retrying cannot help until an operator deletes the record, which the logger names.
  {
    matches: (e) => e instanceof IdempotencyRecordCorruptError,
    status: 500,
    type: 'urn:lambda-idempotency:record-corrupt',
    title: 'Stored response unreadable',
    detail: 'The response stored for this idempotency key cannot be read.',
  },
  {
    matches: (e) => e instanceof IdempotencyStoreError,
    status: 503,
    type: 'urn:lambda-idempotency:store-unavailable',
    title: 'Idempotency store unavailable',
    retryAfterSeconds: () => storeUnavailableRetryAfterSeconds,
  },
];

const fallbackRow: Omit<ProblemRow, 'matches'> = { status: 500, type: 'urn:lambda-idempotency:error', title: 'Idempotency error' };

/**
 * Builds an `application/problem+json` response, with any extra headers (e.g. `Retry-After`).
 * @example
 * ```ts
 * import { problemResponse } from 'lambda-idempotency';
 * problemResponse({ type: 'urn:example:not-found', title: 'Order not found', status: 404, detail: 'No order 42' });
 * ```
 */
export function problemResponse(problem: Problem, headers: Record<string, string> = {}): HttpResponse {
  return {
    statusCode: problem.status,
    headers: { 'Content-Type': 'application/problem+json', ...headers },
    body: JSON.stringify({ type: problem.type, title: problem.title, status: problem.status, detail: problem.detail }),
  };
}

/**
 * Answers an idempotency error the way the IETF draft asks: 400 for a missing or invalid key, 409 with `Retry-After`
 * while the key is in progress, 422 for another payload, 409 when the first response was not stored, 500 when the
 * stored record cannot be read, 503 with `Retry-After` when the store is unreachable.
 * @example
 * ```ts
 * import { IdempotencyPayloadMismatchError, idempotencyProblemResponse } from 'lambda-idempotency';
 * idempotencyProblemResponse(new IdempotencyPayloadMismatchError()).statusCode; // 422
 * ```
 */
export function idempotencyProblemResponse(error: IdempotencyError): HttpResponse {
  const row = problemTable.find((candidate) => candidate.matches(error)) ?? fallbackRow;
  const headers: Record<string, string> = row.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(row.retryAfterSeconds(error)) };
  return problemResponse({ type: row.type, title: row.title, status: row.status, detail: row.detail ?? error.message }, headers);
}
