import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetItemCommand, ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import { createDynamoDBStore, idempotency, type DynamoDBStore } from '../../lib/idempotency/index.js';
import type { ClaimRequest } from '../../lib/idempotency/store/store.js';
import { countCalls, type CallCounter } from '../support/call-counter.js';
import { createIdempotencyTable, createLayoutTable, createTestClient, tableLayouts } from '../support/dynamodb.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { waitFor } from '../support/wait-for.js';

let client: DynamoDBClient;
let counter: CallCounter;
const fresh = () => `id-${Math.random().toString(36).slice(2)}`;
const startMs = Date.now();
const claimRequest = (id: string, nowMs: number, leaseMs = 10_000): ClaimRequest => ({
  id,
  nowMs,
  leaseExpiresAtEpochMs: nowMs + leaseMs,
  expiresAtEpochSeconds: Math.ceil(nowMs / 1000) + 3_600,
});

beforeAll(async () => {
  client = createTestClient();
  counter = countCalls(client);
});
afterAll(() => client.destroy());

describe('createDynamoDBStore', () => {
  it('writes the table attributes under configurable key and TTL names', async () => {
    // Arrange
    const renamedTable = await createIdempotencyTable(client, 'pk', 'ttl');
    const renamed = createDynamoDBStore({ tableName: renamedTable, client, keyAttribute: 'pk', expiryAttribute: 'ttl' });
    const id = fresh();

    // Act
    const claimed = await renamed.claim(claimRequest(id, startMs));
    const held = await renamed.claim(claimRequest(id, startMs + 1));

    // Assert
    expect(claimed.kind).toBe('claimed');
    expect(held.kind).toBe('held');
    const item = await client.send(new GetItemCommand({ TableName: renamedTable, Key: { pk: { S: id } }, ConsistentRead: true }));
    expect(item.Item?.ttl?.N).toBeDefined();
  });
});

describe('the partition and sort key layout', () => {
  it('puts each record at partition idempotency#<record id>, sort idempotency, so records spread over partitions', async () => {
    // Arrange
    const layout = { keyAttribute: 'pk', sortKeyAttribute: 'sk' };
    const layoutTable = await createLayoutTable(client, layout);
    const layered = createDynamoDBStore({ tableName: layoutTable, client, ...layout });
    const [first, second] = [fresh(), fresh()];

    // Act
    await layered.claim(claimRequest(first, startMs));
    await layered.claim(claimRequest(second, startMs));
    const items = await client.send(new ScanCommand({ TableName: layoutTable, ConsistentRead: true }));

    // Assert
    const keys = (items.Items ?? []).map((item) => [item.pk?.S, item.sk?.S]).sort();
    expect(keys).toEqual([`idempotency#${first}`, `idempotency#${second}`].sort().map((pk) => [pk, 'idempotency']));
    expect(await layered.get?.(first)).toMatchObject({ id: first, status: 'IN_PROGRESS' });
  });
});

describe.each(tableLayouts)('DynamoDB round trips per path, %s', (_layout, layout) => {
  let store: DynamoDBStore;
  beforeAll(async () => {
    store = createDynamoDBStore({ tableName: await createLayoutTable(client, layout), client, ...layout });
  });

  it('costs 2 calls for a first call, 1 for a duplicate, 0 for a cached duplicate, 1 in progress, 2 on handler error', async () => {
    // Arrange
    let fail = false;
    let hold: Promise<void> | undefined;
    let entered = 0;
    const handler = middy(async () => {
      entered += 1;
      await hold;
      if (fail) throw new Error('boom');
      return { ok: true };
    }).use(idempotency({ store, key: (event: { id: string }) => event.id, localCacheMaxEntries: 10 }));
    const uncached = middy(async () => ({ ok: true })).use(idempotency({ store, key: (event: { id: string }) => event.id }));
    const event = { id: fresh() };
    const measure = async (call: () => Promise<unknown>) => {
      counter.reset();
      await call().catch(() => undefined);
      return { ...counter.calls };
    };

    // Act
    const first = await measure(() => handler(event, createLambdaContext()));
    const duplicate = await measure(() => uncached(event, createLambdaContext()));
    const cached = await measure(() => handler(event, createLambdaContext()));
    let open: () => void = () => undefined;
    hold = new Promise((resolve) => (open = resolve));
    const runningEvent = { id: fresh() };
    const enteredBefore = entered;
    const running = handler(runningEvent, createLambdaContext());
    await waitFor(() => entered > enteredBefore);
    const inProgress = await measure(() => uncached(runningEvent, createLambdaContext()));
    open();
    await running;
    hold = undefined;
    fail = true;
    const error = await measure(() => handler({ id: fresh() }, createLambdaContext()));

    // Assert
    expect(first).toEqual({ PutItemCommand: 1, UpdateItemCommand: 1 });
    expect(duplicate).toEqual({ PutItemCommand: 1 });
    expect(cached).toEqual({});
    expect(inProgress).toEqual({ PutItemCommand: 1 });
    expect(error).toEqual({ PutItemCommand: 1, DeleteItemCommand: 1 });
  });
});
