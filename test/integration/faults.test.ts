import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoDBStore, IdempotencyInProgressError, IdempotencyStoreError, type IdempotencyOutcome } from '../../lib/idempotency/index.js';
import { findFreePort, localDynamoDBClientConfig } from '../../lib/local/dynamodb-local.js';
import { adapters } from '../support/adapters.js';
import { createIdempotencyTable, createTestClient } from '../support/dynamodb.js';
import { dropReturnedOldItems, injectFaults } from '../support/fault-injector.js';
import { countCalls } from '../support/call-counter.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { DynamoDBClient as Client } from '@aws-sdk/client-dynamodb';

let setupClient: DynamoDBClient;
let tableName: string;

beforeAll(async () => {
  setupClient = createTestClient();
  tableName = await createIdempotencyTable(setupClient);
});
afterAll(() => setupClient.destroy());

const freshKey = () => `key-${Math.random().toString(36).slice(2)}`;

describe.each(adapters)('store faults through the %s', (_name, wrap) => {
  it('fails closed with IdempotencyStoreError, handler not run, when DynamoDB is unreachable', async () => {
    // Arrange
    const unreachable = new Client({ ...localDynamoDBClientConfig, endpoint: `http://127.0.0.1:${await findFreePort()}`, maxAttempts: 1 });
    let runs = 0;
    const handler = wrap(async (_event: { id: string }) => ++runs, {
      store: createDynamoDBStore({ tableName, client: unreachable }),
      key: (event) => event.id,
    });

    // Act
    const error = await handler({ id: freshKey() }, createLambdaContext()).catch((thrown: unknown) => thrown);

    // Assert
    expect(error).toBeInstanceOf(IdempotencyStoreError);
    expect((error as IdempotencyStoreError).cause).toBeInstanceOf(Error);
    expect(runs).toBe(0);
    unreachable.destroy();
  });

  it('fails closed when the claim is throttled past the SDK retries', async () => {
    // Arrange
    const client = createTestClient();
    injectFaults(client, { commands: ['PutItemCommand'] });
    let runs = 0;
    const handler = wrap(async (_event: { id: string }) => ++runs, { store: createDynamoDBStore({ tableName, client }), key: (event) => event.id });

    // Act
    const error = await handler({ id: freshKey() }, createLambdaContext()).catch((thrown: unknown) => thrown);

    // Assert
    expect(error).toBeInstanceOf(IdempotencyStoreError);
    expect(((error as IdempotencyStoreError).cause as Error).name).toBe('ProvisionedThroughputExceededException');
    expect(runs).toBe(0);
    client.destroy();
  });

  it('returns the result when completion fails, reports it, and keeps duplicates out until the lease ends', async () => {
    // Arrange
    const client = createTestClient();
    injectFaults(client, { commands: ['UpdateItemCommand'] });
    const outcomes: IdempotencyOutcome[] = [];
    const logged: string[] = [];
    let runs = 0;
    const handler = wrap(async (_event: { id: string }) => `charged ${++runs}`, {
      store: createDynamoDBStore({ tableName, client }),
      key: (event) => event.id,
      onOutcome: (outcome) => outcomes.push(outcome),
      logger: (message) => logged.push(message),
    });
    const event = { id: freshKey() };

    // Act
    const first = await handler(event, createLambdaContext({ remainingMs: 60_000 }));
    const duplicate = await handler(event, createLambdaContext()).catch((thrown: unknown) => thrown);

    // Assert
    expect(first).toBe('charged 1');
    expect(duplicate).toBeInstanceOf(IdempotencyInProgressError);
    expect(runs).toBe(1);
    expect(outcomes.map((o) => o.type)).toEqual(['claimed', 'store-error', 'in-progress']);
    expect(logged).toHaveLength(1);
    client.destroy();
  });

  it('rethrows the handler error unchanged when the release fails, and keeps the key held', async () => {
    // Arrange
    const client = createTestClient();
    injectFaults(client, { commands: ['DeleteItemCommand'] });
    const failure = new TypeError('handler bug');
    let runs = 0;
    const handler = wrap(
      async (_event: { id: string }) => {
        runs += 1;
        throw failure;
      },
      { store: createDynamoDBStore({ tableName, client }), key: (event) => event.id },
    );
    const event = { id: freshKey() };

    // Act
    const thrown = await handler(event, createLambdaContext({ remainingMs: 60_000 })).catch((error: unknown) => error);
    const duplicate = await handler(event, createLambdaContext()).catch((error: unknown) => error);

    // Assert
    expect(thrown).toBe(failure);
    expect(duplicate).toBeInstanceOf(IdempotencyInProgressError);
    expect(runs).toBe(1);
    client.destroy();
  });

  it('reads the holder with one consistent GetItem when the failed claim carries no old item', async () => {
    // Arrange
    const client = createTestClient();
    dropReturnedOldItems(client);
    const counter = countCalls(client);
    let runs = 0;
    const handler = wrap(async (_event: { id: string }) => `run ${++runs}`, { store: createDynamoDBStore({ tableName, client }), key: (event) => event.id });
    const event = { id: freshKey() };
    await handler(event, createLambdaContext());
    counter.reset();

    // Act
    const duplicate = await handler(event, createLambdaContext());

    // Assert
    expect(duplicate).toBe('run 1');
    expect(counter.calls).toEqual({ PutItemCommand: 1, GetItemCommand: 1 });
    client.destroy();
  });
});
