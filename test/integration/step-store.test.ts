import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetItemCommand, PutItemCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoDBStore, IdempotencyRecordCorruptError, maxStepBytes, type Claim, type DynamoDBStore } from '../../lib/idempotency/index.js';
import { stepSizeBytes } from '../../lib/idempotency/step.js';
import { stepValue } from '../../lib/idempotency/store/dynamodb-item.js';
import { recordKey } from '../../lib/idempotency/store/dynamodb-table-key.js';
import type { ClaimRequest } from '../../lib/idempotency/store/store.js';
import { createIdempotencyTable, createLayoutTable, createTestClient, layoutKey, tableLayouts } from '../support/dynamodb.js';
import { injectFaults, timeoutError } from '../support/fault-injector.js';

// The store's step operations, called as `step` calls them, against DynamoDB Local; faults only where it cannot make them.
const fresh = () => `steps-${Math.random().toString(36).slice(2)}`;
const startMs = Date.now();
const leaseMs = 60_000;
const claimRequest = (id: string, nowMs = startMs, fingerprintHash?: string): ClaimRequest => ({
  id,
  fingerprintHash,
  nowMs,
  leaseExpiresAtEpochMs: nowMs + leaseMs,
  expiresAtEpochSeconds: Math.ceil(nowMs / 1000) + 3_600,
});

async function claim(target: DynamoDBStore, request: ClaimRequest): Promise<Claim> {
  const answer = await target.claim(request);
  if (answer.kind !== 'claimed') throw new Error('expected a claim');
  return answer.claim;
}

/** Saves a step as `step` does: through the store, then into the claim's steps on success. */
async function save(target: DynamoDBStore, owned: Claim, name: string, json: string | undefined) {
  const answer = await target.saveStep(owned, name, json);
  if (answer === 'done') owned.steps?.set(name, json);
  return answer;
}

describe.each(tableLayouts)('DynamoDB store steps on a table keyed by a %s', (_layoutName, layout) => {
  let client: DynamoDBClient;
  let tableName: string;
  let store: DynamoDBStore;
  beforeAll(async () => {
    client = createTestClient();
    tableName = await createLayoutTable(client, layout);
    store = createDynamoDBStore({ tableName, client, ...layout });
  });
  afterAll(() => client.destroy());

  const readItem = async (id: string) =>
    (await client.send(new GetItemCommand({ TableName: tableName, Key: layoutKey(id, layout), ConsistentRead: true }))).Item;

  /** A store whose first UpdateItem is applied by DynamoDB Local, then answered with a timeout inside the SDK's retries. */
  function storeLosingFirstUpdate(): { store: DynamoDBStore; faults: string[]; destroy: () => void } {
    const faulty = createTestClient();
    const faults: string[] = [];
    injectFaults(faulty, {
      commands: ['UpdateItemCommand'],
      error: timeoutError,
      loses: 'response-lost',
      at: 'inside-retries',
      times: 1,
      onFault: (name) => faults.push(name),
    });
    return { store: createDynamoDBStore({ tableName, client: faulty, ...layout }), faults, destroy: () => faulty.destroy() };
  }

  it('keeps the steps through a claim that takes an ended lease over, and returns them with it', async () => {
    // Arrange
    const id = fresh();
    const dead = await claim(store, claimRequest(id));
    await save(store, dead, 'charge', '{"chargeId":"ch_1"}');
    await save(store, dead, 'nothing', undefined);

    // Act
    const resumed = await claim(store, claimRequest(id, startMs + leaseMs));
    const zombie = await store.saveStep(dead, 'late', '1');

    // Assert
    expect(Object.fromEntries(resumed.steps ?? [])).toEqual({ charge: '{"chargeId":"ch_1"}', nothing: undefined });
    expect(zombie).toBe('lease-lost');
    expect((await readItem(id))?.lease_token?.S).toBe(resumed.leaseToken);
  });

  it.each([
    ['the first step', []],
    ['a later step', ['before']],
  ])('stores %s once when its first answer was lost inside the SDK retries', async (_label, before) => {
    // Arrange
    const lossy = storeLosingFirstUpdate();
    const owned = await claim(store, claimRequest(fresh()));
    for (const name of before) await save(store, owned, name, '0');

    // Act
    const answer = await save(lossy.store, owned, 'charge', '"ch_2"');

    // Assert
    expect(lossy.faults).toEqual(['UpdateItemCommand']);
    expect(answer).toBe('done');
    expect((await readItem(owned.id))?.steps?.M?.charge).toEqual({ S: '"ch_2"' });
    lossy.destroy();
  });

  it('resumes once when the answer to the resuming update was lost inside the SDK retries', async () => {
    // Arrange
    const lossy = storeLosingFirstUpdate();
    const id = fresh();
    await save(store, await claim(store, claimRequest(id)), 'charge', '"ch_3"');

    // Act
    const resumed = await claim(lossy.store, claimRequest(id, startMs + leaseMs));

    // Assert
    expect(lossy.faults).toEqual(['UpdateItemCommand']);
    expect(Object.fromEntries(resumed.steps ?? [])).toEqual({ charge: '"ch_3"' });
    lossy.destroy();
  });

  it('keeps steps it did not learn of when it releases, instead of deleting them', async () => {
    // Arrange: a step whose write was applied although this claim never recorded it (its answer was lost).
    const id = fresh();
    const owned = await claim(store, claimRequest(id));
    await store.saveStep(owned, 'charge', '"ch_4"');

    // Act
    const released = await store.release(owned);
    const next = await claim(store, claimRequest(id));

    // Assert
    expect(released).toBe('done');
    expect(Object.fromEntries(next.steps ?? [])).toEqual({ charge: '"ch_4"' });
  });

  it('frees a released key with steps at once, keeps its steps, and refuses the released claim’s late writes once taken', async () => {
    // Arrange
    const id = fresh();
    const first = await claim(store, claimRequest(id));
    await save(store, first, 'charge', '"ch_5"');

    // Act
    const released = await store.release(first);
    const retry = await claim(store, claimRequest(id));
    const late = await store.saveStep(first, 'late', '1');

    // Assert
    expect(released).toBe('done');
    expect(Object.fromEntries(retry.steps ?? [])).toEqual({ charge: '"ch_5"' });
    expect(late).toBe('lease-lost');
  });

  it('returns no steps to a claim over a record whose retention passed, and removes them', async () => {
    // Arrange
    const id = fresh();
    const old = await claim(store, { ...claimRequest(id), expiresAtEpochSeconds: Math.ceil(startMs / 1000) + 1, leaseExpiresAtEpochMs: startMs + 1 });
    await save(store, old, 'charge', '"ch_6"');

    // Act
    const later = await claim(store, claimRequest(id, startMs + 5_000));

    // Assert
    expect(later.steps?.size).toBe(0);
    expect((await readItem(id))?.steps).toBeUndefined();
  });

  it('refuses a claim with another fingerprint over a record with steps, whose lease ended, and keeps the steps', async () => {
    // Arrange
    const id = fresh();
    const first = await claim(store, claimRequest(id, startMs, 'a'.repeat(64)));
    await save(store, first, 'charge', '"ch_7"');

    // Act
    const other = await store.claim(claimRequest(id, startMs + leaseMs, 'b'.repeat(64)));

    // Assert
    expect(other.kind).toBe('held');
    expect((await readItem(id))?.steps?.M?.charge).toEqual({ S: '"ch_7"' });
  });

  it('lets exactly one of two claims racing for a record with steps resume it', async () => {
    // Arrange
    const id = fresh();
    await save(store, await claim(store, claimRequest(id)), 'charge', '"ch_8"');

    // Act
    const answers = await Promise.all([store.claim(claimRequest(id, startMs + leaseMs)), store.claim(claimRequest(id, startMs + leaseMs))]);

    // Assert
    expect(answers.map((answer) => answer.kind).sort()).toEqual(['claimed', 'held']);
  });

  it.each([
    ['a steps attribute that is not a map', { steps: { S: 'x' } }],
    ['a step entry that is neither text nor null', { steps: { M: { charge: { N: '1' } } } }],
    ['no lease token', { steps: { M: {} }, lease_token: undefined }],
  ])('refuses to resume a record with %s, as corrupt', async (_label, attributes: Record<string, AttributeValue | undefined>) => {
    // Arrange
    const id = fresh();
    const item: Record<string, AttributeValue | undefined> = {
      ...layoutKey(id, layout),
      status: { S: 'IN_PROGRESS' },
      expiration: { N: String(Math.ceil(startMs / 1000) + 3_600) },
      in_progress_expiration: { N: '0' },
      lease_token: { S: 'someone' },
      ...attributes,
    };
    const defined = Object.fromEntries(Object.entries(item).filter((entry): entry is [string, AttributeValue] => entry[1] !== undefined));
    await client.send(new PutItemCommand({ TableName: tableName, Item: defined }));

    // Act
    const error = await store.claim(claimRequest(id)).catch((caught: unknown) => caught);

    // Assert
    expect(error).toBeInstanceOf(IdempotencyRecordCorruptError);
  });
});

describe('steps at the limit step enforces', () => {
  /** The most steps `step` admits: the shortest names first, each with an undefined result, until the next would pass maxStepBytes. */
  function mostStepsAdmitted(): Record<string, AttributeValue> {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:-';
    const steps: Record<string, AttributeValue> = {};
    let names = [''];
    let totalBytes = 0;
    for (;;) {
      names = names.flatMap((prefix) => [...alphabet].map((letter) => `${prefix}${letter}`));
      for (const name of names) {
        if (totalBytes + stepSizeBytes(name, undefined) > maxStepBytes) return steps;
        totalBytes += stepSizeBytes(name, undefined);
        steps[name] = stepValue(undefined);
      }
    }
  }

  it('fit in one item with a sort key and 255-byte attribute names, whose claim resumes and completes', async () => {
    // Arrange: the largest record a claim and its steps make, on the longest key, sort key and TTL names allowed.
    const client = createTestClient();
    const layout = { keyAttribute: 'k'.repeat(255), sortKeyAttribute: 's'.repeat(255), expiryAttribute: 'e'.repeat(255) };
    const tableName = await createIdempotencyTable(client, layout.keyAttribute, layout.expiryAttribute, layout.sortKeyAttribute);
    const store = createDynamoDBStore({ tableName, client, ...layout });
    const id = 'f'.repeat(64);
    await claim(store, claimRequest(id, startMs, 'a'.repeat(64)));
    const steps = mostStepsAdmitted();

    // Act
    const written = client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: recordKey(id, { key: layout.keyAttribute, sortKey: layout.sortKeyAttribute }),
        UpdateExpression: 'SET steps = :steps',
        ExpressionAttributeValues: { ':steps': { M: steps } },
      }),
    );
    await written.catch(() => undefined);
    const resumed = await store.claim(claimRequest(id, startMs + leaseMs, 'a'.repeat(64)));
    const completed = resumed.kind === 'claimed' ? await store.complete(resumed.claim, { ok: true }) : undefined;
    client.destroy();

    // Assert
    await expect(written).resolves.toBeDefined();
    expect(resumed.kind).toBe('claimed');
    expect(resumed.kind === 'claimed' ? resumed.claim.steps?.size : 0).toBe(Object.keys(steps).length);
    expect(completed).toEqual({ kind: 'completed', resultStored: true });
  });
});
