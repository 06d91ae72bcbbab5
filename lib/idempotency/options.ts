import { systemClock, type Clock } from './clock.js';
import { requireFunction, requireNonNegativeInteger, requirePositiveInteger, stripUndefined } from './option-checks.js';
import type { IdempotencyStore } from './store/store.js';
import type { IdempotencyOutcome } from './outcome.js';

/** The part of a Lambda context the library reads. Any `aws-lambda` `Context` fits. */
export interface LambdaContextLike {
  readonly functionName?: string;
  getRemainingTimeInMillis?(): number;
}

/** Receives diagnostics; the library never logs by itself. Payloads and results are never passed. */
export type IdempotencyLogger = (message: string, details: Record<string, unknown>) => void;

/** Options shared by {@link idempotency} and {@link makeIdempotent}. `TInput` is the event or the wrapped function's first argument. */
export interface IdempotencyOptions<TInput, TResult = unknown> {
  /** Where records live, e.g. `createDynamoDBStore({ tableName })`. Required. */
  store: IdempotencyStore;
  /** Picks the client's idempotency key. Read once per invocation, before the handler runs. Required. */
  key: (input: TInput, context?: LambdaContextLike) => unknown;
  /** Picks what a duplicate must match; its SHA-256 is stored. @default undefined: duplicates are not compared */
  fingerprint?: (input: TInput) => unknown;
  /** Picks the tenant or caller, so equal keys of different callers never meet. @default undefined: the key alone */
  scope?: (input: TInput, context?: LambdaContextLike) => string | undefined;
  /** Separates keys of different operations that share a function and a table. @default '' (wrapper: the function's name) */
  namespace?: string;
  /** How long a completed result is replayed, in seconds, counted from when it was stored. @default 86_400 */
  expiresAfterSeconds?: number;
  /** The lease, in seconds, when there is no Lambda context or it reports 0 ms left. @default 900 (the Lambda maximum) */
  fallbackLeaseSeconds?: number;
  /** What to do without a key: throw `IdempotencyKeyError`, or run the handler without idempotency. @default 'error' */
  onMissingKey?: 'error' | 'skip';
  /** Decides whether a successful result is stored (true) or the key is released for a retry (false). @default () => true */
  shouldStore?: (result: TResult) => boolean;
  /** Completed records kept in memory per container, so a warm duplicate costs no DynamoDB call. 0 turns it off. @default 0 */
  localCacheMaxEntries?: number;
  /**
   * How long, in ms, a duplicate that finds its key in progress (same payload) waits for the first call's answer
   * before `IdempotencyInProgressError`; never past the invocation's remaining time less 1 s (less Middy's
   * `timeoutEarlyInMillis` too, under `withIdempotencyTimeout`). While it waits it reads
   * the record with backoff (25 ms doubling to 250 ms); it replays a completion, or claims the key when it is released or
   * its lease ends. 0 answers at once. Needs a store with `get`. @default 0 (`httpIdempotency()`: 5_000)
   */
  waitForInProgressMs?: number;
  /** Receives diagnostics (store failures after the handler ran, lost leases). @default undefined */
  logger?: IdempotencyLogger;
  /** Called once per invocation step with what happened and how long the store call took. @default undefined */
  onOutcome?: (outcome: IdempotencyOutcome) => void;
  /** The clock, in epoch milliseconds; for tests. @default Date.now */
  now?: Clock;
}

/** The default values of {@link IdempotencyOptions}. */
export const idempotencyDefaults = {
  namespace: '',
  expiresAfterSeconds: 86_400,
  fallbackLeaseSeconds: 900,
  onMissingKey: 'error',
  shouldStore: () => true,
  localCacheMaxEntries: 0,
  waitForInProgressMs: 0,
  now: systemClock,
} as const;

/** Options after defaults, as the lifecycle uses them. */
export type ResolvedIdempotencyOptions<TInput, TResult> = Required<
  Omit<IdempotencyOptions<TInput, TResult>, 'fingerprint' | 'scope' | 'logger' | 'onOutcome'>
> &
  Pick<IdempotencyOptions<TInput, TResult>, 'fingerprint' | 'scope' | 'logger' | 'onOutcome'>;

/**
 * Merges the defaults into `options` and checks every option once.
 * @throws {TypeError} naming the first invalid option.
 */
export function resolveIdempotencyOptions<TInput, TResult>(options: IdempotencyOptions<TInput, TResult>): ResolvedIdempotencyOptions<TInput, TResult> {
  if (typeof options !== 'object' || options === null) throw new TypeError(`Expected options to be an object, got ${String(options)}.`);
  const resolved = { ...idempotencyDefaults, ...stripUndefined(options) } as ResolvedIdempotencyOptions<TInput, TResult>;
  const store = resolved.store as Partial<IdempotencyStore> | undefined;
  if (typeof store?.claim !== 'function' || typeof store.complete !== 'function' || typeof store.release !== 'function') {
    throw new TypeError('Expected `store` to be an idempotency store, e.g. createDynamoDBStore({ tableName }).');
  }
  requireFunction('key', resolved.key, false);
  for (const option of ['fingerprint', 'scope', 'shouldStore', 'logger', 'onOutcome', 'now'] as const) requireFunction(option, resolved[option]);
  if (typeof resolved.namespace !== 'string') throw new TypeError(`Expected \`namespace\` to be a string, got ${String(resolved.namespace)}.`);
  requirePositiveInteger('expiresAfterSeconds', resolved.expiresAfterSeconds);
  requirePositiveInteger('fallbackLeaseSeconds', resolved.fallbackLeaseSeconds);
  requireNonNegativeInteger('localCacheMaxEntries', resolved.localCacheMaxEntries);
  requireNonNegativeInteger('waitForInProgressMs', resolved.waitForInProgressMs);
  if (resolved.waitForInProgressMs > 0 && typeof store.get !== 'function') {
    throw new TypeError('Expected `store` to have a `get` method when `waitForInProgressMs` is above 0.');
  }
  if (resolved.onMissingKey !== 'error' && resolved.onMissingKey !== 'skip') {
    throw new TypeError(`Expected \`onMissingKey\` to be 'error' or 'skip', got ${String(resolved.onMissingKey)}.`);
  }
  return resolved;
}
