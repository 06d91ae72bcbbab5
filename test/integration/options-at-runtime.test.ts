import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoDBStore, IdempotencyPayloadMismatchError, type DynamoDBStore } from '../../lib/idempotency/index.js';
import { adapters } from '../support/adapters.js';
import { countCalls, type CallCounter } from '../support/call-counter.js';
import { createIdempotencyTable, createTestClient } from '../support/dynamodb.js';
import { createLambdaContext } from '../support/lambda-context.js';

let client: DynamoDBClient;
let store: DynamoDBStore;
let counter: CallCounter;

beforeAll(async () => {
  client = createTestClient();
  counter = countCalls(client);
  store = createDynamoDBStore({ tableName: await createIdempotencyTable(client), client });
});
afterAll(() => client.destroy());
afterEach(() => {
  delete process.env.IDEMPOTENCY_DISABLED;
});

const freshKey = () => `key-${Math.random().toString(36).slice(2)}`;

describe.each(adapters)('%s', (_name, wrap) => {
  it('runs handlers untouched, with no store call, when IDEMPOTENCY_DISABLED=true, and says so once', async () => {
    // Arrange
    process.env.IDEMPOTENCY_DISABLED = 'true';
    const logged: string[] = [];
    let runs = 0;
    const handler = wrap(async (_event: { id: string }) => ++runs, { store, key: (event) => event.id, logger: (message) => logged.push(message) });
    const event = { id: freshKey() };
    counter.reset();

    // Act
    await handler(event, createLambdaContext());
    await handler(event, createLambdaContext());

    // Assert
    expect(runs).toBe(2);
    expect(counter.total()).toBe(0);
    expect(logged).toEqual(['Idempotency is off: IDEMPOTENCY_DISABLED=true']);
  });

  it('replays from the local cache with no store call, and still refuses another fingerprint', async () => {
    // Arrange
    let runs = 0;
    const handler = wrap(async (event: { id: string; cents: number }) => ({ run: ++runs, cents: event.cents }), {
      store,
      key: (event) => event.id,
      fingerprint: (event) => event.cents,
      localCacheMaxEntries: 2,
    });
    const id = freshKey();
    await handler({ id, cents: 5 }, createLambdaContext());
    counter.reset();

    // Act
    const cached = await handler({ id, cents: 5 }, createLambdaContext());
    const mismatch = await handler({ id, cents: 6 }, createLambdaContext()).catch((error: unknown) => error);

    // Assert
    expect(cached).toEqual({ run: 1, cents: 5 });
    expect(mismatch).toBeInstanceOf(IdempotencyPayloadMismatchError);
    expect(counter.total()).toBe(0);
  });

  it('stops replaying from the local cache once the record has expired', async () => {
    // Arrange
    let nowMs = Date.now();
    let runs = 0;
    const handler = wrap(async (_event: { id: string }) => ++runs, {
      store,
      key: (event) => event.id,
      localCacheMaxEntries: 5,
      expiresAfterSeconds: 60,
      now: () => nowMs,
    });
    const event = { id: freshKey() };
    await handler(event, createLambdaContext());

    // Act
    const cached = await handler(event, createLambdaContext());
    nowMs += 61_000;
    counter.reset();
    const afterExpiry = await handler(event, createLambdaContext());

    // Assert
    expect(cached).toBe(1);
    expect(afterExpiry).toBe(2);
    expect(counter.calls.PutItemCommand).toBe(1);
  });
});
