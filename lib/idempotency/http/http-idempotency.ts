import type { MiddlewareObj } from '@middy/core';
import { createLifecycle } from '../lifecycle.js';
import { createIdempotencyPhases } from '../middleware.js';
import { requireNonEmptyString } from '../option-checks.js';
import type { IdempotencyOptions } from '../options.js';
import { readCallerScope } from './caller-scope.js';
import type { HttpEvent } from './http-event.js';
import { shouldStoreHttpResponse, type HttpResponse } from './http-response.js';
import { idempotencyKeyHeader, readIdempotencyKey } from './idempotency-key-header.js';
import { idempotencyProblemResponse } from './problem.js';
import { markReplayedResponse, toReplayableResponse } from './replay-headers.js';
import { fingerprintRequest } from './request-fingerprint.js';

type CoreOptions<TEvent, TResult> = Omit<IdempotencyOptions<TEvent, TResult>, 'key' | 'fingerprint' | 'scope' | 'shouldStore'>;

/** Options of {@link httpIdempotency}: those of `idempotency()`, with HTTP defaults for the four request functions. */
export interface HttpIdempotencyOptions<TEvent = HttpEvent, TResult extends HttpResponse = HttpResponse> extends CoreOptions<TEvent, TResult> {
  /** The header that carries the key, matched case-insensitively. @default 'Idempotency-Key' */
  headerName?: string;
  /** Picks the key, e.g. `(event) => event.pathParameters?.orderId` for a PUT. @default the `headerName` header, bare or quoted */
  key?: IdempotencyOptions<TEvent, TResult>['key'];
  /** What a duplicate must match. @default fingerprintRequest: method + route + path + query parameters + canonical body */
  fingerprint?: IdempotencyOptions<TEvent, TResult>['fingerprint'];
  /** Who is calling. @default readCallerScope: the whole authorizer context, JWT claims, IAM, API key, mTLS and ALB OIDC identities, less per-request fields */
  scope?: IdempotencyOptions<TEvent, TResult>['scope'];
  /** How long a duplicate waits for the first request's answer before 409; 0 answers 409 at once. @default 5_000 (0 with a store without `get`) */
  waitForInProgressMs?: number;
  /** Whether a response is stored or its key released. @default shouldStoreHttpResponse: 2xx/3xx/4xx except 400, 401, 403, 408, 422, 429 */
  shouldStore?: IdempotencyOptions<TEvent, TResult>['shouldStore'];
}

/** The default values of {@link HttpIdempotencyOptions}, beyond those of `idempotencyDefaults`. */
export const httpIdempotencyDefaults = {
  headerName: idempotencyKeyHeader,
  fingerprint: fingerprintRequest,
  scope: readCallerScope,
  shouldStore: shouldStoreHttpResponse,
  // A double click usually lands while the first request runs: 5 s covers a typical handler, far below API Gateway's 29 s.
  waitForInProgressMs: 5_000,
} as const;

/**
 * Makes an HTTP Lambda (API Gateway REST or HTTP API, Function URL, ALB) idempotent per the IETF Idempotency-Key
 * draft: the first request with a key runs and its response is stored; a duplicate gets that response again with
 * `Idempotent-Replayed: true`, without running the handler.
 *
 * A thin layer over `idempotency()`, with the same lifecycle. It never lets an idempotency error through: it answers with
 * `application/problem+json` (400 missing or invalid key, 409 with `Retry-After` in
 * progress, 422 another payload, 503 with `Retry-After` store unreachable, the handler not run). Stored responses lose
 * per-attempt headers (`Date`, `Set-Cookie`, …). Thrown errors and 5xx answers release the key. Replays and refusals
 * are answered from `onError` (Middy skips every `after` on an early response), so the `onError` of the middlewares
 * registered before this one decorates them too. Place it after `@middy/http-header-normalizer`, `@middy/http-cors`,
 * `@middy/http-security-headers` and `@middy/http-error-handler`, before `@middy/http-json-body-parser`.
 * @throws {TypeError} at construction, naming an invalid option.
 * @example
 * ```ts
 * import middy from '@middy/core';
 * import type { APIGatewayProxyEvent } from 'aws-lambda';
 * import { createDynamoDBStore, httpIdempotency } from 'lambda-idempotency';
 * const store = createDynamoDBStore({ tableName: 'idempotency' });
 * export const handler = middy(async (_event: APIGatewayProxyEvent) => ({ statusCode: 201, body: '{"ok":true}' }))
 *   .use(httpIdempotency({ store }));
 * ```
 */
export function httpIdempotency<TEvent = HttpEvent, TResult extends HttpResponse = HttpResponse>(
  options: HttpIdempotencyOptions<TEvent, TResult>,
): MiddlewareObj<TEvent, TResult> {
  const { headerName = httpIdempotencyDefaults.headerName, ...rest } = options ?? ({} as HttpIdempotencyOptions<TEvent, TResult>);
  requireNonEmptyString('headerName', headerName);
  const lifecycle = createLifecycle<TEvent, TResult>(
    {
      ...rest,
      key: rest.key ?? ((event) => readIdempotencyKey(event, headerName)),
      fingerprint: rest.fingerprint ?? httpIdempotencyDefaults.fingerprint,
      scope: rest.scope ?? httpIdempotencyDefaults.scope,
      shouldStore: rest.shouldStore ?? httpIdempotencyDefaults.shouldStore,
      // A store without `get` cannot wait: it keeps answering 409 at once unless the option asks otherwise.
      waitForInProgressMs: rest.waitForInProgressMs ?? (typeof rest.store?.get === 'function' ? httpIdempotencyDefaults.waitForInProgressMs : 0),
    },
    // Stored responses lose per-attempt headers (cookies, dates), also when a handler commits them in a transaction.
    { storedForm: toReplayableResponse },
  );
  return createIdempotencyPhases(lifecycle, {
    answerError: (error) => idempotencyProblemResponse(error) as TResult,
    replay: (result) => markReplayedResponse(result) as TResult,
    // So that CORS and security headers registered before this middleware reach replays and refusals too.
    answerInErrorChain: true,
  });
}
