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
  /** What the client reads: a fixed text, never the error's message, which may name the table or the record. */
  readonly detail: (error: IdempotencyError) => string;
  readonly retryAfterSeconds?: (error: IdempotencyError) => number;
}

const retryAfterOf = (error: IdempotencyError) => (error as IdempotencyInProgressError).retryAfterSeconds;

// The one table from error class to HTTP answer. Order matters only for the two key problems, which share a class.
// Only a key error's message reaches the client: the library writes it about the client's own header, nothing else.
const problemTable: readonly ProblemRow[] = [
  {
    matches: (e) => e instanceof IdempotencyKeyError && e.problem === 'missing',
    status: 400,
    type: 'urn:lambda-idempotency:key-missing',
    title: 'Idempotency key required',
    detail: (e) => e.message,
  },
  {
    matches: (e) => e instanceof IdempotencyKeyError,
    status: 400,
    type: 'urn:lambda-idempotency:key-invalid',
    title: 'Invalid idempotency key',
    detail: (e) => e.message,
  },
  {
    matches: (e) => e instanceof IdempotencyPayloadMismatchError,
    status: 422,
    type: 'urn:lambda-idempotency:payload-mismatch',
    title: 'Idempotency key reused with another payload',
    detail: () => 'This idempotency key was already used with a different request (method, path, query or body).',
  },
  {
    matches: (e) => e instanceof IdempotencyInProgressError,
    status: 409,
    type: 'urn:lambda-idempotency:in-progress',
    title: 'Request with this idempotency key in progress',
    detail: (e) => `Another request with this idempotency key is in progress; retry after ${retryAfterOf(e)} s.`,
    retryAfterSeconds: retryAfterOf,
  },
  // Another invocation took the request over and will store its answer: retrying shortly gets the replay.
  {
    matches: (e) => e instanceof IdempotencyLeaseLostError,
    status: 409,
    type: 'urn:lambda-idempotency:lease-lost',
    title: 'Request with this idempotency key taken over',
    detail: () => 'Another invocation took this request over and stores its response; retry shortly to get it.',
    retryAfterSeconds: () => 1,
  },
  // 409, not 5xx: the request was processed once, so retrying cannot help; the client reads the resource instead.
  {
    matches: (e) => e instanceof IdempotencyResultNotStoredError,
    status: 409,
    type: 'urn:lambda-idempotency:result-not-stored',
    title: 'Response not stored',
    detail: () => 'The request with this idempotency key completed, but its response was not stored and cannot be replayed.',
  },
  // 500 without Retry-After: retrying cannot help until an operator deletes the record, which the logger names.
  {
    matches: (e) => e instanceof IdempotencyRecordCorruptError,
    status: 500,
    type: 'urn:lambda-idempotency:record-corrupt',
    title: 'Stored response unreadable',
    detail: () => 'The response stored for this idempotency key cannot be read.',
  },
  {
    matches: (e) => e instanceof IdempotencyStoreError,
    status: 503,
    type: 'urn:lambda-idempotency:store-unavailable',
    title: 'Idempotency store unavailable',
    detail: () => 'The idempotency store could not be reached; retry shortly.',
    retryAfterSeconds: () => storeUnavailableRetryAfterSeconds,
  },
];

const fallbackRow: Omit<ProblemRow, 'matches'> = {
  status: 500,
  type: 'urn:lambda-idempotency:error',
  title: 'Idempotency error',
  detail: () => 'The request could not be processed idempotently.',
};

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
 * stored record cannot be read, 503 with `Retry-After` when the store is unreachable. The `detail` is a fixed text per
 * situation (for a key error, the key rule that was broken): no table, record id, stack or SDK message ever reaches
 * the client. Those go to the `logger` and `onOutcome` options.
 * @example
 * ```ts
 * import { IdempotencyPayloadMismatchError, idempotencyProblemResponse } from 'lambda-idempotency';
 * idempotencyProblemResponse(new IdempotencyPayloadMismatchError()).statusCode; // 422
 * ```
 */
export function idempotencyProblemResponse(error: IdempotencyError): HttpResponse {
  const row = problemTable.find((candidate) => candidate.matches(error)) ?? fallbackRow;
  const headers: Record<string, string> = row.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(row.retryAfterSeconds(error)) };
  return problemResponse({ type: row.type, title: row.title, status: row.status, detail: row.detail(error) }, headers);
}
