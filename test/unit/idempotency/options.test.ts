import { describe, expect, it } from '@jest/globals';
import { createDynamoDBStore, idempotency, makeIdempotent } from '../../../lib/idempotency/index.js';
import { idempotencyDefaults, resolveIdempotencyOptions } from '../../../lib/idempotency/options.js';
import type { IdempotencyStore } from '../../../lib/idempotency/store/store.js';

// Never called: option validation happens before any store call.
const store: IdempotencyStore = {
  claim: async () => {
    throw new Error('not called');
  },
  complete: async () => ({ kind: 'lease-lost' }),
  release: async () => 'done',
};
const key = (event: { id: string }) => event.id;

describe('resolveIdempotencyOptions', () => {
  it('fills every default', () => {
    const resolved = resolveIdempotencyOptions({ store, key });
    expect(resolved).toMatchObject({ ...idempotencyDefaults, store, key });
    expect(resolved.expiresAfterSeconds).toBe(86_400);
    expect(resolved.onMissingKey).toBe('error');
  });

  it('treats an option passed as undefined as the default', () => {
    expect(resolveIdempotencyOptions({ store, key, expiresAfterSeconds: undefined }).expiresAfterSeconds).toBe(86_400);
  });

  it.each([
    [{ store: {} }, '`store`'],
    [{ key: 'id' }, 'Expected `key` to be a function'],
    [{ fingerprint: 'body' }, 'Expected `fingerprint` to be a function'],
    [{ scope: 1 }, 'Expected `scope` to be a function'],
    [{ expiresAfterSeconds: -1 }, 'Expected `expiresAfterSeconds` to be a positive integer, got -1.'],
    [{ expiresAfterSeconds: 1.5 }, 'Expected `expiresAfterSeconds` to be a positive integer, got 1.5.'],
    [{ fallbackLeaseSeconds: 0 }, 'Expected `fallbackLeaseSeconds` to be a positive integer, got 0.'],
    [{ localCacheMaxEntries: -3 }, 'Expected `localCacheMaxEntries` to be a non-negative integer, got -3.'],
    [{ onMissingKey: 'ignore' }, "Expected `onMissingKey` to be 'error' or 'skip', got ignore."],
    [{ namespace: 5 }, 'Expected `namespace` to be a string'],
    [{ shouldStore: true }, 'Expected `shouldStore` to be a function'],
  ])('throws a TypeError naming the option for %j', (override, message) => {
    expect(() => resolveIdempotencyOptions({ store, key, ...(override as object) })).toThrow(new RegExp(message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    expect(() => resolveIdempotencyOptions({ store, key, ...(override as object) })).toThrow(TypeError);
  });

  it('validates at construction in both adapters', () => {
    expect(() => idempotency({ store, key, expiresAfterSeconds: 0 })).toThrow('`expiresAfterSeconds`');
    expect(() => makeIdempotent(async (event: { id: string }) => event, { store, key, namespace: 'n', expiresAfterSeconds: 0 })).toThrow(
      '`expiresAfterSeconds`',
    );
    expect(() => makeIdempotent('fn' as never, { store, key: key as never })).toThrow('Expected `fn` to be a function');
  });
});

describe('makeIdempotent namespaces: two wrapped operations never share records by accident', () => {
  const wrap = (fn: (event: { id: string }) => Promise<unknown>, namespace?: string) => () => makeIdempotent(fn, { store, key, namespace });
  const namespaceError = /Expected `namespace` to be set/;

  it.each([
    ['an inline arrow', async (event: { id: string }) => event],
    [
      'an anonymous function expression',
      (() =>
        // biome-ignore lint/complexity/useArrowFunction: an anonymous function expression is the case under test.
        async function (event: { id: string }) {
          return event;
        })(),
    ],
    ['a default export', Object.defineProperty(async (event: { id: string }) => event, 'name', { value: 'default' })],
    [
      'a bound method',
      async function charge(event: { id: string }) {
        return event;
      }.bind(undefined),
    ],
  ])('refuses %s without a namespace, naming `namespace`', (_kind, fn) => {
    expect(wrap(fn)).toThrow(TypeError);
    expect(wrap(fn)).toThrow(namespaceError);
    expect(wrap(fn, 'charge')).not.toThrow();
  });

  it('refuses a second function with another body under a name already wrapped', () => {
    const first = { settle: async (event: { id: string }) => ({ charged: event.id }) };
    const second = { settle: async (event: { id: string }) => ({ refunded: event.id }) };
    expect(wrap(first.settle)).not.toThrow();
    expect(wrap(second.settle)).toThrow(namespaceError);
    expect(wrap(second.settle, 'refund')).not.toThrow();
  });

  it('accepts the same function wrapped again', () => {
    const reconcile = async (event: { id: string }) => event;
    expect(wrap(reconcile)).not.toThrow();
    expect(wrap(reconcile)).not.toThrow();
  });
});

describe('createDynamoDBStore options', () => {
  it.each([
    [{ tableName: '' }, 'Expected `tableName` to be a non-empty string'],
    [{ tableName: 't', keyAttribute: '' }, 'Expected `keyAttribute` to be a non-empty string'],
    [{ tableName: 't', expiryAttribute: 'id' }, 'Expected `expiryAttribute` to differ from `keyAttribute`'],
    [{ tableName: 't', compressAboveBytes: 0 }, 'Expected `compressAboveBytes` to be a positive integer'],
    [{ tableName: 't', maxStoredResultBytes: -1 }, 'Expected `maxStoredResultBytes` to be a positive integer'],
    [{ tableName: 't', client: {}, clientConfig: {} }, 'Expected either `client` or `clientConfig`, got both.'],
  ])('throws a TypeError naming the option for %j', (options, message) => {
    expect(() => createDynamoDBStore(options as never)).toThrow(TypeError);
    expect(() => createDynamoDBStore(options as never)).toThrow(message);
  });
});
