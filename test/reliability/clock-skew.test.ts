import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { createDynamoDBStore, idempotency, IdempotencyInProgressError, type DynamoDBStore, type IdempotencyOutcome } from '../../lib/idempotency/index.js';
import { createIdempotencyTable, createTestClient } from '../support/dynamodb.js';
import { createLambdaContext } from '../support/lambda-context.js';

const skewMs = 5 * 60_000;
const expiresAfterSeconds = 3_600;
const leaseMs = 60_000;
let client: DynamoDBClient;
let store: DynamoDBStore;
// Shared time moves only forward from the real clock: DynamoDB Local's TTL, which reads the real clock, never
// deletes the records under test.
let elapsedMs = 0;

beforeAll(async () => {
  client = createTestClient();
  store = createDynamoDBStore({ tableName: await createIdempotencyTable(client), client });
});
afterAll(() => client.destroy());

type Handler = (event: { key: string }, context: Context) => Promise<string>;

/** One sandbox whose clock reads the shared time plus `offsetMs`; every sandbox serves the same function on one table. */
function sandbox(offsetMs: number, name: string, run: Handler = async () => name) {
  const outcomes: IdempotencyOutcome['type'][] = [];
  const now = () => Date.now() + elapsedMs + offsetMs;
  const handler = middy(run).use(
    idempotency<{ key: string }, string>({ store, key: (event) => event.key, now, expiresAfterSeconds, onOutcome: (outcome) => outcomes.push(outcome.type) }),
  );
  const call = (key: string) => handler({ key }, createLambdaContext({ functionName: 'charge', remainingMs: leaseMs }));
  return { call, outcomes };
}

const settle = (promise: Promise<string>) => promise.catch((error: unknown) => error);

describe('two sandboxes whose clocks differ by 5 minutes, on one table', () => {
  beforeAll(() => {
    elapsedMs = 0;
  });

  it.each([
    ['behind', -skewMs],
    ['ahead', skewMs],
  ])('never replays a completed record once its expiry plus the skew has passed (clock %s)', async (_label, offsetMs) => {
    // Arrange
    const key = `expiry-${randomUUID()}`;
    const start = elapsedMs;
    await sandbox(0, 'first').call(key);
    const skewed = sandbox(offsetMs, 'rerun');

    // Act
    elapsedMs = start + expiresAfterSeconds * 1000 - skewMs - 1_000;
    const beforeExpiry = await skewed.call(key);
    elapsedMs = start + expiresAfterSeconds * 1000 + skewMs + 1_000;
    const afterExpiry = await skewed.call(key);

    // Assert
    expect(beforeExpiry).toBe('first');
    expect(afterExpiry).toBe('rerun');
    expect(skewed.outcomes).toEqual(['replayed', 'claimed', 'completed']);
  });

  it('blocks a sandbox whose clock is behind no longer than the lease plus the skew after an invocation died', async () => {
    // Arrange
    const key = `lease-${randomUUID()}`;
    const start = elapsedMs;
    let unblockDead: () => void = () => undefined;
    const dead = sandbox(0, 'dead', () => new Promise((resolve) => (unblockDead = () => resolve('dead'))));
    const deadCall = settle(dead.call(key));
    while (!dead.outcomes.includes('claimed')) await new Promise((resolve) => setTimeout(resolve, 10));
    const behind = sandbox(-skewMs, 'retry');

    // Act
    elapsedMs = start + leaseMs + skewMs - 2_000;
    const stillBlocked = await settle(behind.call(key));
    elapsedMs = start + leaseMs + skewMs + 1_000;
    const retried = await behind.call(key);
    unblockDead();
    await deadCall;

    // Assert
    expect(stillBlocked).toBeInstanceOf(IdempotencyInProgressError);
    expect(retried).toBe('retry');
    expect(dead.outcomes).toEqual(['claimed', 'lease-lost']);
    expect(await sandbox(0, 'later').call(key)).toBe('retry');
  });

  it('fences out the first sandbox when one ahead by more than the lease takes its key over', async () => {
    // Arrange
    const key = `ahead-${randomUUID()}`;
    let unblockFirst: () => void = () => undefined;
    const first = sandbox(0, 'first', () => new Promise((resolve) => (unblockFirst = () => resolve('first'))));
    const firstCall = settle(first.call(key));
    while (!first.outcomes.includes('claimed')) await new Promise((resolve) => setTimeout(resolve, 10));

    // Act
    const ahead = await sandbox(skewMs, 'ahead').call(key);
    unblockFirst();
    const firstAnswer = await firstCall;
    const replay = await sandbox(0, 'later').call(key);

    // Assert: a skew larger than the lease lets two executions overlap; the fence keeps one stored answer.
    expect(ahead).toBe('ahead');
    expect(firstAnswer).toBe('first');
    expect(first.outcomes).toEqual(['claimed', 'lease-lost']);
    expect(replay).toBe('ahead');
  });
});
