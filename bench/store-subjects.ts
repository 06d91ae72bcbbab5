import middy from '@middy/core';
import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { CachePersistenceLayer } from '@aws-lambda-powertools/idempotency/cache';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { createDynamoDBStore, idempotency, type IdempotencyStore } from '../lib/idempotency/index.js';
import { createRedisStore } from '../lib/idempotency/redis.js';
import { createLayoutTable, tableLayouts } from '../test/support/dynamodb.js';
import { createCallRecorder, recordCalls, type CallRecorder } from '../test/support/call-counter.js';
import { createBenchClient } from './clients.js';
import type { BenchBody, BenchEvent, BenchHandler, BenchResponse } from './subjects.js';

/** The stores compared side by side: ours on each backend and client, and Powertools' Redis persistence layer. */
export const storeSubjects = [
  'ours, DynamoDB (partition key)',
  'ours, DynamoDB (partition + sort key)',
  'ours, Redis via node-redis',
  'ours, Redis via ioredis',
  'Powertools, Redis via node-redis',
] as const;
export type StoreSubject = (typeof storeSubjects)[number];

/** A handler over one store, and a recorder of the commands it sends (each one round trip). */
export interface StoreHandler {
  readonly handler: BenchHandler;
  readonly recorder: CallRecorder;
  close(): Promise<void>;
}

/** Where the compared stores live. */
export interface StoreServers {
  readonly dynamoDBEndpoint: string;
  readonly redisUrl: string;
}

const oursOver = (store: IdempotencyStore, body: BenchBody): BenchHandler =>
  middy<BenchEvent, BenchResponse>(body).use(idempotency<BenchEvent, BenchResponse>({ store, key: (event) => event.key }));

/** Builds the handler of `subject` over `body`, each configured as its docs recommend (key = the event's `key`). */
export async function createStoreHandler(subject: StoreSubject, servers: StoreServers, body: BenchBody): Promise<StoreHandler> {
  if (subject.startsWith('ours, DynamoDB')) {
    const [, layout] = tableLayouts[subject.includes('sort key') ? 1 : 0]!;
    const client = createBenchClient(servers.dynamoDBEndpoint);
    const store = createDynamoDBStore({ tableName: await createLayoutTable(client, layout), client, ...layout });
    return { handler: oursOver(store, body), recorder: recordCalls(client), close: async () => client.destroy() };
  }
  if (subject === 'ours, Redis via ioredis') {
    const client = new Redis(servers.redisUrl);
    const { counted, recorder } = countRedisCommands(client);
    return { handler: oursOver(createRedisStore({ client: counted }), body), recorder, close: async () => client.disconnect() };
  }
  const client = await createClient({ url: servers.redisUrl }).connect();
  const { counted, recorder } = countRedisCommands(client);
  const close = async () => client.destroy();
  if (subject === 'ours, Redis via node-redis') return { handler: oursOver(createRedisStore({ client: counted }), body), recorder, close };
  const persistenceStore = new CachePersistenceLayer({ client: counted });
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'key' });
  return { handler: middy<BenchEvent, BenchResponse>(body).use(makeHandlerIdempotent({ persistenceStore, config })), recorder, close };
}

// node-redis' command methods, ioredis' raw call, and node-redis' raw sendCommand: each call is one command.
const commandMethods = new Set(['get', 'set', 'del', 'call', 'sendCommand']);

/**
 * Wraps a Redis client so that each command a library sends through it is recorded, by the command's name. Methods
 * run on the real client, so a command it sends internally is never counted twice.
 */
function countRedisCommands<T extends object>(client: T): { counted: T; recorder: CallRecorder } {
  const { record, recorder } = createCallRecorder();
  const nameOf = (method: string, args: unknown[]) => {
    if (method === 'sendCommand') return String((args[0] as string[])[0]);
    return method === 'call' ? String(args[0]) : method;
  };
  const counted = new Proxy(client, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      if (typeof property !== 'string' || !commandMethods.has(property)) return value.bind(target);
      return (...args: unknown[]) => {
        record(nameOf(property, args).toUpperCase());
        return value.apply(target, args);
      };
    },
  });
  return { counted, recorder };
}
