import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoDBStore, IdempotencyResultNotStoredError, makeIdempotent } from '../../lib/idempotency/index.js';
import { fixedAttributeNames, itemAttributeNames } from '../../lib/idempotency/store/dynamodb-item.js';
import { largestStoredResultBytes } from '../../lib/idempotency/store/dynamodb-item-size.js';
import { createIdempotencyTable, createTestClient } from '../support/dynamodb.js';
import { createLambdaContext } from '../support/lambda-context.js';

let client: DynamoDBClient;
const nameOptions = ['keyAttribute', 'sortKeyAttribute', 'expiryAttribute'] as const;
const fresh = () => `options-${Math.random().toString(36).slice(2)}`;
// Text that gzip shrinks little: a seeded walk over printable ASCII.
const scrambled = (length: number) => {
  let state = 12_345;
  return Array.from({ length }, () => {
    state = (state * 48_271) % 2_147_483_647;
    return String.fromCharCode(35 + (state % 56));
  }).join('');
};

beforeAll(() => {
  client = createTestClient();
});
afterAll(() => client.destroy());

describe('createDynamoDBStore attribute names', () => {
  it.each(nameOptions.flatMap((option) => Object.values(fixedAttributeNames).map((name) => [option, name])))(
    'throws a TypeError naming `%s` when it is the record attribute %s',
    (option, name) => {
      expect(() => createDynamoDBStore({ tableName: 't', [option]: name })).toThrow(TypeError);
      expect(() => createDynamoDBStore({ tableName: 't', [option]: name })).toThrow(`\`${option}\``);
    },
  );

  it.each([
    ['a key attribute named like the default TTL attribute', { keyAttribute: 'expiration' }, '`expiryAttribute` to differ from `keyAttribute`'],
    ['a TTL attribute named like the default key attribute', { expiryAttribute: 'id' }, '`expiryAttribute` to differ from `keyAttribute`'],
    ['a sort key attribute named like the key attribute', { sortKeyAttribute: 'id' }, '`sortKeyAttribute` to differ from `keyAttribute`'],
    ['a TTL attribute named like the sort key attribute', { sortKeyAttribute: 'expiration' }, '`expiryAttribute` to differ from `sortKeyAttribute`'],
    ['an empty sort key attribute', { sortKeyAttribute: '' }, '`sortKeyAttribute` to be a non-empty string'],
    ['a sort key attribute name of 256 bytes', { sortKeyAttribute: 's'.repeat(256) }, '`sortKeyAttribute` to be at most 255 bytes'],
    ['a key attribute name of 256 bytes', { keyAttribute: 'k'.repeat(256) }, '`keyAttribute` to be at most 255 bytes'],
    ['a TTL attribute name of 256 bytes in 128 characters', { expiryAttribute: 'é'.repeat(128) }, '`expiryAttribute` to be at most 255 bytes'],
  ])('throws a TypeError naming the option for %s', (_label, options, message) => {
    expect(() => createDynamoDBStore({ tableName: 't', ...options })).toThrow(TypeError);
    expect(() => createDynamoDBStore({ tableName: 't', ...options })).toThrow(message);
  });
});

describe('createDynamoDBStore maxStoredResultBytes', () => {
  it.each([409_600, 450_000])('throws a TypeError naming the option for %d, which cannot fit in a 400 KB item', (maxStoredResultBytes) => {
    expect(() => createDynamoDBStore({ tableName: 't', maxStoredResultBytes })).toThrow(TypeError);
    expect(() => createDynamoDBStore({ tableName: 't', maxStoredResultBytes })).toThrow('`maxStoredResultBytes` to be at most');
  });

  it.each([
    ['a partition key', undefined],
    ['a partition and a sort key', 's'.repeat(255)],
  ])(
    'stores a result of the largest accepted size under the longest names with %s, and marks a larger one as not stored',
    async (_layout, sortKeyAttribute) => {
      // Arrange
      const [keyAttribute, expiryAttribute] = ['k'.repeat(255), 'e'.repeat(255)];
      const tableName = await createIdempotencyTable(client, keyAttribute, expiryAttribute, sortKeyAttribute);
      const maxStoredResultBytes = largestStoredResultBytes(itemAttributeNames(keyAttribute, expiryAttribute, sortKeyAttribute));
      const names = { keyAttribute, sortKeyAttribute, expiryAttribute };
      const store = createDynamoDBStore({ tableName, client, ...names, maxStoredResultBytes, compressAboveBytes: maxStoredResultBytes });
      let runs = 0;
      const echoText = async (input: { key: string; text: string }, _context?: unknown) => {
        runs += 1;
        return input.text;
      };
      const echo = makeIdempotent(echoText, { store, key: (input) => input.key, fingerprint: (input) => input.text, namespace: 'echo' });
      // A JSON string takes its two quotes on top of its characters; twice the limit stays too large even gzipped.
      const [fits, tooLarge] = [
        { key: fresh(), text: scrambled(maxStoredResultBytes - 2) },
        { key: fresh(), text: scrambled(2 * maxStoredResultBytes) },
      ];

      // Act
      const stored = await echo(fits, createLambdaContext());
      const replayed = await echo(fits, createLambdaContext());
      const notStored = await echo(tooLarge, createLambdaContext());
      const refused = await echo(tooLarge, createLambdaContext()).catch((error: unknown) => error);

      // Assert (lengths and equality, not the texts: a failure should not print half a megabyte)
      expect(stored.length).toBe(maxStoredResultBytes - 2);
      expect(replayed === stored).toBe(true);
      expect(notStored === tooLarge.text).toBe(true);
      expect(refused).toBeInstanceOf(IdempotencyResultNotStoredError);
      expect(runs).toBe(2);
    },
  );

  it('compresses a result that fits the limit but not the item beside a long record id, instead of failing the completion', async () => {
    // Arrange
    const tableName = await createIdempotencyTable(client);
    const store = createDynamoDBStore({ tableName, client, maxStoredResultBytes: 409_000, compressAboveBytes: 409_000 });
    const nowMs = Date.now();
    const id = `${fresh()}-${'i'.repeat(1_500)}`;
    const claimed = await store.claim({ id, nowMs, leaseExpiresAtEpochMs: nowMs + 60_000, expiresAtEpochSeconds: Math.ceil(nowMs / 1000) + 3_600 });
    if (claimed.kind !== 'claimed') throw new Error('expected a claim');

    // Act
    const completion = await store.complete(claimed.claim, scrambled(408_500));

    // Assert
    expect(completion).toEqual({ kind: 'completed', resultStored: true });
    const item = await client.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: id } }, ConsistentRead: true }));
    expect(item.Item?.status?.S).toBe('COMPLETED');
    expect(item.Item?.data?.B).toBeDefined();
  });
});
