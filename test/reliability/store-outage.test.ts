import { afterAll, describe, expect, it } from '@jest/globals';
import { createDynamoDBStore, IdempotencyStoreError, makeIdempotent, type IdempotencyOutcome, type IdempotencyStore } from '../../lib/idempotency/index.js';
import { createRedisStore } from '../../lib/idempotency/redis.js';
import { startDynamoDBLocal } from '../../lib/local/dynamodb-local.js';
import { startRedisServer } from '../../lib/local/redis-server.js';
import { createIdempotencyTable, createTestClient } from '../support/dynamodb.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { redisClientKinds } from '../support/redis.js';
import { waitFor } from '../support/wait-for.js';

/** A store on a server of this file's own, which the case stops: the suite's shared servers are never touched. */
interface StoppableStore {
  readonly store: IdempotencyStore;
  stopServer(): Promise<void>;
  close(): Promise<void>;
}

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

const stoppableStores: Array<[string, () => Promise<StoppableStore>]> = [
  [
    'DynamoDB',
    async () => {
      const local = await startDynamoDBLocal({ startTimeoutMs: 120_000 });
      const client = createTestClient({ endpoint: local.endpoint, maxAttempts: 2 });
      const store = createDynamoDBStore({ tableName: await createIdempotencyTable(client), client });
      return { store, stopServer: () => local.stop(), close: async () => client.destroy() };
    },
  ],
  ...redisClientKinds.slice(0, 2).map(([name, connect]): [string, () => Promise<StoppableStore>] => [
    `Redis via ${name}`,
    async () => {
      const server = await startRedisServer();
      const { client, close } = await connect(server.url);
      return { store: createRedisStore({ client }), stopServer: () => server.stop(), close };
    },
  ]),
];

describe.each(stoppableStores)('the %s store’s server stopped under load', (_name, start) => {
  it('never runs a handler without a claim, answers every call it cannot claim with IdempotencyStoreError, and still answers the running ones', async () => {
    // Arrange
    const backend = await start();
    cleanups.push(backend.close);
    const outcomes = new Map<string, IdempotencyOutcome['type'][]>();
    const executions = new Map<string, number>();
    const ranWithoutClaim: string[] = [];
    let openGate: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    // One wrapper per key, so the handler can check that its own key was claimed before it was called.
    const callFor = (key: string) =>
      makeIdempotent(
        async (event: { key: string }, _context?: unknown) => {
          if (!(outcomes.get(key) ?? []).includes('claimed')) ranWithoutClaim.push(key);
          executions.set(key, (executions.get(key) ?? 0) + 1);
          await gate;
          return { key: event.key };
        },
        { store: backend.store, key: (event) => event.key, namespace: 'outage', onOutcome: (o) => outcomes.set(key, [...(outcomes.get(key) ?? []), o.type]) },
      )({ key }, createLambdaContext());
    const settle = (call: Promise<unknown>) =>
      call.then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
    const keys = (label: string) => Array.from({ length: 20 }, (_, index) => `${label}-${index}-${Math.random().toString(36).slice(2)}`);
    const [running, inFlight, afterStop] = [keys('running'), keys('in-flight'), keys('after-stop')];

    // Act: 20 handlers hold their claims; 20 more calls are on their way as the server stops; 40 come after.
    const runningCalls = running.map((key) => settle(callFor(key)));
    await waitFor(() => executions.size === 20);
    const inFlightCalls = inFlight.map((key) => settle(callFor(key)));
    await backend.stopServer();
    const afterStopAnswers = await Promise.all([...afterStop, ...running].map((key) => settle(callFor(key))));
    openGate();
    const runningAnswers = await Promise.all(runningCalls);
    const inFlightAnswers = await Promise.all(inFlightCalls);

    // Assert
    expect(ranWithoutClaim).toEqual([]);
    expect([...executions.values()].every((count) => count === 1)).toBe(true);
    expect(runningAnswers).toEqual(running.map((key) => ({ value: { key } })));
    for (const answer of afterStopAnswers) expect('error' in answer && answer.error).toBeInstanceOf(IdempotencyStoreError);
    for (const [index, answer] of inFlightAnswers.entries()) {
      if ('error' in answer) expect(answer.error).toBeInstanceOf(IdempotencyStoreError);
      else expect(executions.get(inFlight[index] as string)).toBe(1);
    }
  }, 180_000);
});
