import middy from '@middy/core';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import { createDynamoDBStore, idempotency } from '../lib/idempotency/index.js';

/** The two idempotency layers under test. */
export const libraries = ['ours', 'powertools'] as const;
export type Library = (typeof libraries)[number];

/** The event every bench invocation gets: a payment with its client's idempotency key. */
export interface BenchEvent {
  readonly key: string;
  readonly amount: number;
  readonly currency: string;
}

/** What the bench handler returns, shaped like an API Gateway proxy result. */
export interface BenchResponse {
  readonly statusCode: number;
  readonly body: string;
}

export type BenchBody = (event: BenchEvent) => Promise<BenchResponse>;
export type BenchHandler = (event: BenchEvent, context: Context) => Promise<BenchResponse>;

/** How to build one library's handler. */
export interface SubjectOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Turns each library's in-memory cache of completed records on. @default false */
  readonly localCache?: boolean;
  /** The business logic. @default a handler that answers at once */
  readonly body?: BenchBody;
}

/** The handler without any idempotency: the reference both libraries add to. */
export const answerAtOnce: BenchBody = async (event) => ({ statusCode: 201, body: JSON.stringify({ paymentId: event.key, amount: event.amount }) });

/** A bench event for `key`. */
export function paymentEvent(key: string): BenchEvent {
  return { key, amount: 4_200, currency: 'EUR' };
}

/**
 * Builds a Middy handler made idempotent by `library`, each configured as its docs recommend: the key is the event's
 * `key` field, payload validation is off (both defaults), and the cache holds up to 1,000 records when it is on.
 */
export function createSubject(library: Library, options: SubjectOptions): BenchHandler {
  const body = options.body ?? answerAtOnce;
  if (library === 'ours') {
    const store = createDynamoDBStore({ tableName: options.tableName, client: options.client });
    const middleware = idempotency<BenchEvent, BenchResponse>({ store, key: (event) => event.key, localCacheMaxEntries: options.localCache ? 1_000 : 0 });
    return middy<BenchEvent, BenchResponse>(body).use(middleware);
  }
  const persistenceStore = new DynamoDBPersistenceLayer({ tableName: options.tableName, awsSdkV3Client: options.client });
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'key', useLocalCache: options.localCache ?? false, maxLocalCacheSize: 1_000 });
  return middy<BenchEvent, BenchResponse>(body).use(makeHandlerIdempotent({ persistenceStore, config }));
}

/** The same body under Middy with no idempotency middleware. */
export function createBareHandler(body: BenchBody = answerAtOnce): BenchHandler {
  return middy<BenchEvent, BenchResponse>(body);
}
