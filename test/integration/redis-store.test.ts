import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Context } from 'aws-lambda';
import { gzipSync } from 'node:zlib';
import {
  completeWithTransaction,
  IdempotencyRecordCorruptError,
  IdempotencyStoreError,
  IdempotencyStepsUnsupportedError,
  IdempotencyTransactionUnsupportedError,
  makeIdempotent,
  step,
  type ClaimResult,
  type IdempotencyOutcome,
} from '../../lib/idempotency/index.js';
import { createRedisStore, redisStoreDefaults, type RedisClientLike } from '../../lib/idempotency/redis.js';
import { sendCommand } from '../../lib/idempotency/store/redis-client.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { injectRedisFaults } from '../support/redis-fault-injector.js';
import { redisClientKinds, redisUrl, type TestRedisClient } from '../support/redis.js';
import { waitFor } from '../support/wait-for.js';

// The Redis-only behaviour: record layout, round trips, script loading, refusals. What every store shares is in store-conformance.
const fresh = () => `redis-${Math.random().toString(36).slice(2)}`;
let connection: TestRedisClient;
let client: RedisClientLike;
const keyPrefix = `redis-test-${Math.random().toString(36).slice(2)}:`;
const redis = (...args: string[]) => sendCommand(client, args);

beforeAll(async () => {
  const [, connect] = redisClientKinds[0]!;
  connection = await connect(redisUrl());
  client = connection.client;
});
afterAll(() => connection.close());

/** A charge wrapped over a Redis store, with its record id once it ran and how often it ran. */
function charge(store = createRedisStore({ client, keyPrefix })) {
  const seen = { runs: 0, recordId: '', outcomes: [] as IdempotencyOutcome['type'][] };
  const call = makeIdempotent(
    async (input: { key: string; fail?: boolean }, _context?: unknown) => {
      seen.runs += 1;
      if (input.fail === true) throw new Error('declined');
      return { receipt: `r-${input.key}` };
    },
    {
      store,
      namespace: 'charge',
      key: (input) => input.key,
      onOutcome: (outcome) => {
        seen.outcomes.push(outcome.type);
        seen.recordId = outcome.recordId ?? seen.recordId;
      },
    },
  );
  return { call, seen };
}

describe('the Redis record', () => {
  it('is one hash under the prefixed record id, with the DynamoDB attribute names and an expiry at its retention end', async () => {
    // Arrange
    const { call, seen } = charge();

    // Act
    await call({ key: fresh() }, createLambdaContext());
    // node-redis answers HGETALL as an object, ioredis as a flat array.
    const reply = (await redis('HGETALL', `${keyPrefix}${seen.recordId}`)) as string[] | Record<string, string>;
    const expiresAt = Number(await redis('EXPIRETIME', `${keyPrefix}${seen.recordId}`));

    // Assert
    const hash = Array.isArray(reply) ? Object.fromEntries(reply.flatMap((value, index) => (index % 2 === 0 ? [[value, reply[index + 1]]] : []))) : reply;
    expect(Object.keys(hash).sort()).toEqual(['data', 'expiration', 'lease_token', 'status']);
    expect(hash).toMatchObject({ status: 'COMPLETED', data: expect.stringContaining('"receipt"') });
    expect(expiresAt).toBe(Number(hash.expiration));
  });

  it('is deleted by Redis itself once its retention end has passed on the server clock', async () => {
    // Arrange
    const store = createRedisStore({ client, keyPrefix });
    const nowMs = Date.now();
    const claimed = await store.claim({ id: fresh(), nowMs, leaseExpiresAtEpochMs: nowMs + 60_000, expiresAtEpochSeconds: Math.ceil(nowMs / 1000) + 60 });
    if (claimed.kind !== 'claimed') throw new Error('expected a claim');

    // Act: complete with a retention end already in the past.
    await store.complete({ ...claimed.claim, expiresAtEpochSeconds: Math.floor(nowMs / 1000) - 1 }, 'done');

    // Assert
    expect(await redis('EXISTS', `${keyPrefix}${claimed.claim.id}`)).toBe(0);
    expect(await store.get?.(claimed.claim.id)).toBeUndefined();
  });
});

describe('Redis round trips per path', () => {
  it('costs 2 script calls for a first call, 1 for a duplicate, 1 in progress, 2 on handler error, and one EVAL after a script flush', async () => {
    // Arrange
    const { client: counted, log } = injectRedisFaults(client);
    const { call } = charge(createRedisStore({ client: counted, keyPrefix }));
    let entered = false;
    let open: () => void = () => undefined;
    const held = makeIdempotent(
      async (_input: { key: string }, _context?: unknown) => {
        entered = true;
        await new Promise<void>((resolve) => (open = resolve));
      },
      { store: createRedisStore({ client, keyPrefix }), namespace: 'charge', key: (input) => input.key },
    );
    const measure = async (run: () => Promise<unknown>) => {
      log.reset();
      await run().catch(() => undefined);
      return { ...log.calls };
    };
    const key = fresh();

    // Act: a first call and a failed one load the claim, completion and release scripts.
    await call({ key: fresh() });
    await call({ key: fresh(), fail: true }).catch(() => undefined);
    const first = await measure(() => call({ key }));
    const duplicate = await measure(() => call({ key }));
    const runningKey = fresh();
    const running = held({ key: runningKey });
    await waitFor(() => entered);
    const inProgress = await measure(() => call({ key: runningKey }));
    open();
    await running;
    const failed = await measure(() => call({ key: fresh(), fail: true }));
    await redis('SCRIPT', 'FLUSH');
    const afterFlush = await measure(() => call({ key: fresh() }));

    // Assert
    expect(first).toEqual({ EVALSHA: 2 });
    expect(duplicate).toEqual({ EVALSHA: 1 });
    expect(inProgress).toEqual({ EVALSHA: 1 });
    expect(failed).toEqual({ EVALSHA: 2 });
    expect(afterFlush).toEqual({ EVALSHA: 2, EVAL: 2 });
  });
});

describe('a command resent after its reply was lost', () => {
  it('recognises its own claim, completion and release by the lease token', async () => {
    // Arrange
    const { client: faulty, log } = injectRedisFaults(client);
    const store = createRedisStore({ client: faulty, keyPrefix });
    const nowMs = Date.now();
    const request = (id: string) => ({ id, nowMs, leaseExpiresAtEpochMs: nowMs + 60_000, expiresAtEpochSeconds: Math.ceil(nowMs / 1000) + 60 });
    const [completedId, releasedId] = [fresh(), fresh()];

    // Act
    log.resendNext();
    const claimed = await store.claim(request(completedId));
    const other = await store.claim(request(releasedId));
    if (claimed.kind !== 'claimed' || other.kind !== 'claimed') throw new Error('expected two claims');
    log.resendNext();
    const completion = await store.complete(claimed.claim, 'paid');
    log.resendNext();
    const release = await store.release(other.claim);

    // Assert
    expect(completion).toEqual({ kind: 'completed', resultStored: true });
    expect(release).toBe('done');
    expect(await store.get?.(completedId)).toMatchObject({ status: 'COMPLETED', result: { kind: 'json', json: '"paid"' } });
    expect(await store.get?.(releasedId)).toBeUndefined();
  });
});

describe('refusals of the Redis store', () => {
  it('answers completeWithTransaction with IdempotencyTransactionUnsupportedError, writes nothing, and frees the key', async () => {
    // Arrange
    let runs = 0;
    const call = makeIdempotent(
      async (input: { key: string }, context?: Context) => {
        runs += 1;
        await completeWithTransaction(context!, { writes: [], result: { key: input.key } });
        return { key: input.key };
      },
      { store: createRedisStore({ client, keyPrefix }), namespace: 'transactional', key: (input) => input.key },
    );
    const input = { key: fresh() };

    // Act
    const first = await call(input, createLambdaContext()).catch((error: unknown) => error);
    const retry = await call(input, createLambdaContext()).catch((error: unknown) => error);

    // Assert
    expect(first).toBeInstanceOf(IdempotencyTransactionUnsupportedError);
    expect((first as Error).message).toContain('createDynamoDBStore');
    expect(retry).toBeInstanceOf(IdempotencyTransactionUnsupportedError);
    expect(runs).toBe(2);
  });

  it('answers step with IdempotencyStepsUnsupportedError before the step runs, and frees the key', async () => {
    // Arrange
    let stepRuns = 0;
    const call = makeIdempotent(async (_input: { key: string }, context?: Context) => step(context!, 'charge', () => (stepRuns += 1)), {
      store: createRedisStore({ client, keyPrefix }),
      namespace: 'stepped',
      key: (input) => input.key,
    });
    const input = { key: fresh() };

    // Act
    const first = await call(input, createLambdaContext()).catch((error: unknown) => error);
    const retry = await call(input, createLambdaContext()).catch((error: unknown) => error);

    // Assert
    expect(first).toBeInstanceOf(IdempotencyStepsUnsupportedError);
    expect(retry).toBeInstanceOf(IdempotencyStepsUnsupportedError);
    expect(stepRuns).toBe(0);
  });

  it.each([
    ['a key of another Redis type', (key: string) => redis('SET', key, 'someone else’s value')],
    ['a hash without a status', (key: string) => redis('HDEL', key, 'status')],
    ['a status this library never writes', (key: string) => redis('HSET', key, 'status', 'DONE')],
    ['gzip data that is not gzip', (key: string) => redis('HSET', key, 'data_gzip', Buffer.from('not gzip').toString('base64'))],
    ['a TTL field that is not a number', (key: string) => redis('HSET', key, 'expiration', 'soon')],
  ])('answers a duplicate of a record holding %s with IdempotencyRecordCorruptError, never a second run', async (_case, corrupt) => {
    // Arrange
    const { call, seen } = charge();
    const input = { key: fresh() };
    await call(input);
    await redis('HDEL', `${keyPrefix}${seen.recordId}`, 'data');
    await corrupt(`${keyPrefix}${seen.recordId}`);

    // Act
    const duplicate = await call(input).catch((error: unknown) => error);

    // Assert
    expect(duplicate).toBeInstanceOf(IdempotencyRecordCorruptError);
    expect((duplicate as IdempotencyRecordCorruptError).recordId).toBe(seen.recordId);
    expect(seen.runs).toBe(1);
  });

  it.each([
    ['a claim', 'OK'],
    ['a claim', ['held', 'status']],
    ['a claim', [1]],
    ['a claim', ['absent']],
    ['a completion', 'yes'],
    ['a read', ['claimed']],
  ])('answers %s that gets the reply %j with IdempotencyStoreError', async (step, reply) => {
    // Arrange
    const { client: faulty, log } = injectRedisFaults(client);
    const store = createRedisStore({ client: faulty, keyPrefix });
    const nowMs = Date.now();
    const request = { id: fresh(), nowMs, leaseExpiresAtEpochMs: nowMs + 60_000, expiresAtEpochSeconds: Math.ceil(nowMs / 1000) + 60 };

    // Act
    if (step === 'a claim') log.replaceNextReply(reply);
    const claimed = await store.claim(request).catch((error: unknown) => error);
    let answer = claimed;
    if (step === 'a read') {
      log.replaceNextReply(reply);
      answer = await store.get?.(request.id).catch((error: unknown) => error);
    }
    if (step === 'a completion') {
      if (claimed instanceof Error || (claimed as ClaimResult).kind !== 'claimed') throw new Error('expected a claim');
      log.replaceNextReply(reply);
      answer = await store.complete((claimed as Extract<ClaimResult, { kind: 'claimed' }>).claim, 1).catch((error: unknown) => error);
    }

    // Assert
    expect(answer).toBeInstanceOf(IdempotencyStoreError);
  });

  it.each([
    ['client', {}, '`client`'],
    ['keyPrefix', { keyPrefix: '' }, '`keyPrefix`'],
    ['compressAboveBytes', { compressAboveBytes: 0 }, '`compressAboveBytes`'],
    ['maxStoredResultBytes', { maxStoredResultBytes: 1.5 }, '`maxStoredResultBytes`'],
  ])('throws a TypeError naming %s when it is invalid', (_option, options, named) => {
    // Act
    const create = () => createRedisStore({ client, ...options, ...(named === '`client`' ? { client: {} as RedisClientLike } : {}) });

    // Assert
    expect(create).toThrow(TypeError);
    expect(create).toThrow(named);
  });

  it('documents its defaults', () => {
    expect(redisStoreDefaults).toEqual({ keyPrefix: 'idempotency:', compressAboveBytes: 1024, maxStoredResultBytes: 390_000 });
  });
});

// A gzip of a valid result, written by hand under data_gzip, replays: the base64 layout is the documented one.
describe('a result gzipped by hand under data_gzip', () => {
  it('replays as written', async () => {
    // Arrange
    const { call, seen } = charge();
    const input = { key: fresh() };
    await call(input);
    const key = `${keyPrefix}${seen.recordId}`;
    await redis('HDEL', key, 'data');
    await redis('HSET', key, 'data_gzip', gzipSync(JSON.stringify({ receipt: 'by hand' })).toString('base64'));

    // Act
    const replay = await call(input);

    // Assert
    expect(replay).toEqual({ receipt: 'by hand' });
    expect(seen.runs).toBe(1);
  });
});
