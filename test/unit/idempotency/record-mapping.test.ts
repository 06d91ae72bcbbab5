import { describe, expect, it } from '@jest/globals';
import { isLeaseExpired, isRecordExpired, secondsUntilLeaseEnds } from '../../../lib/idempotency/record.js';
import { createItemExpressions } from '../../../lib/idempotency/store/dynamodb-expressions.js';
import { fromItem, itemAttributeNames, resultAttributes, toClaimItem } from '../../../lib/idempotency/store/dynamodb-item.js';
import { encodeResult, parseStoredResult } from '../../../lib/idempotency/store/result-encoding.js';
import { resolveHeldRecord } from '../../../lib/idempotency/held-record.js';
import { IdempotencyInProgressError, IdempotencyPayloadMismatchError, IdempotencyResultNotStoredError } from '../../../lib/idempotency/errors.js';
import { createLocalCache } from '../../../lib/idempotency/local-cache.js';

const names = itemAttributeNames('id', 'expiration');
const claim = { id: 'abc', leaseToken: 'token-1', fingerprintHash: 'f1', leaseExpiresAtEpochMs: 1_700_000_005_500, expiresAtEpochSeconds: 1_700_000_100 };
const limits = { compressAboveBytes: 100, maxStoredBytes: 2_000 };

describe('record predicates', () => {
  it('counts a record as expired from its expiry second on', () => {
    expect(isRecordExpired({ expiresAtEpochSeconds: 10 }, 9_999)).toBe(false);
    expect(isRecordExpired({ expiresAtEpochSeconds: 10 }, 10_000)).toBe(true);
  });

  it('ends a lease at its millisecond and never for a record without one', () => {
    expect(isLeaseExpired({ leaseExpiresAtEpochMs: 500 }, 499)).toBe(false);
    expect(isLeaseExpired({ leaseExpiresAtEpochMs: 500 }, 500)).toBe(true);
    expect(isLeaseExpired({}, 10)).toBe(false);
  });

  it('rounds the retry hint up to whole seconds, at least 1', () => {
    expect(secondsUntilLeaseEnds({ leaseExpiresAtEpochMs: 10_001 }, 0)).toBe(11);
    expect(secondsUntilLeaseEnds({ leaseExpiresAtEpochMs: 10 }, 50)).toBe(1);
  });
});

describe('toClaimItem and fromItem', () => {
  it('round-trips an IN_PROGRESS claim, with a TTL no earlier than the lease end', () => {
    const item = toClaimItem(claim, names);
    expect(item.expiration).toEqual({ N: '1700000100' });
    expect(fromItem(item, names)).toEqual({
      id: 'abc',
      status: 'IN_PROGRESS',
      expiresAtEpochSeconds: 1_700_000_100,
      leaseExpiresAtEpochMs: 1_700_000_005_500,
      leaseToken: 'token-1',
      fingerprintHash: 'f1',
      result: undefined,
    });
    const longLease = toClaimItem({ ...claim, leaseExpiresAtEpochMs: 1_700_000_200_001 }, names);
    expect(longLease.expiration).toEqual({ N: '1700000201' });
  });

  it.each([
    ['undefined', undefined],
    ['a small object', { ok: true }],
    ['a large string', 'x'.repeat(1_500)],
  ])('reads back a completed result that was %s', (_label, value) => {
    const item = { ...toClaimItem(claim, names), status: { S: 'COMPLETED' }, ...resultAttributes(encodeResult(value, limits), names) };
    const record = fromItem(item, names);
    expect(record.status).toBe('COMPLETED');
    expect(resolveHeldRecord(record, 'f1', 0)).toEqual({ outcome: 'replayed', result: value });
  });
});

describe('encodeResult', () => {
  it('keeps small JSON as text and gzips large JSON', () => {
    expect(encodeResult({ a: 1 }, limits)).toEqual({ kind: 'text', json: '{"a":1}' });
    const large = encodeResult('y'.repeat(1_000), limits);
    expect(large.kind).toBe('gzip');
    expect(large.kind === 'gzip' && parseStoredResult(large, 'abc')).toBe('y'.repeat(1_000));
  });

  it('never stores text above the size limit, even below the compression threshold', () => {
    expect(encodeResult('z'.repeat(300), { compressAboveBytes: 1_000, maxStoredBytes: 100 }).kind).toBe('gzip');
    const incompressible = Array.from({ length: 200 }, (_, i) => String.fromCharCode(33 + ((i * 37) % 90))).join('');
    expect(encodeResult(incompressible, { compressAboveBytes: 1_000, maxStoredBytes: 100 })).toEqual({ kind: 'not-stored' });
  });

  it.each([
    ['too large even compressed', Array.from({ length: 3_000 }, (_, i) => (i * 7919) % 104_729).join(',')],
    ['a BigInt', 10n],
    [
      'a cycle',
      (() => {
        const cycle: Record<string, unknown> = {};
        cycle.self = cycle;
        return cycle;
      })(),
    ],
    ['a function', () => 1],
  ])('marks a result that is %s as not stored', (_label, value) => {
    expect(encodeResult(value, limits)).toEqual({ kind: 'not-stored' });
  });
});

describe('expressions', () => {
  it('builds the claim condition from three named cases, refused on a record that holds steps', () => {
    const condition = createItemExpressions(names).claim(12_345);
    expect(condition.ConditionExpression).toBe(
      '(attribute_not_exists(#key) OR #expiry <= :nowSeconds OR (#status = :inProgress AND #leaseExpiry <= :nowMs)) AND attribute_not_exists(#steps)',
    );
    expect(condition.ExpressionAttributeValues[':nowSeconds']).toEqual({ N: '12' });
    expect(condition.ExpressionAttributeValues[':nowMs']).toEqual({ N: '12345' });
    expect(condition.ExpressionAttributeNames).toEqual({
      '#key': 'id',
      '#expiry': 'expiration',
      '#status': 'status',
      '#leaseExpiry': 'in_progress_expiration',
      '#steps': 'steps',
    });
  });

  it('fences completion on status and lease token and removes the lease and the steps', () => {
    const merged = createItemExpressions(names).complete('token-1', 99, { data: { S: '1' } });
    expect(merged.ConditionExpression).toBe('#status = :inProgress AND #leaseToken = :leaseToken');
    expect(merged.UpdateExpression).toBe('SET #status = :completed, #expiry = :expiry, #result = :result REMOVE #leaseExpiry, #steps');
    expect(merged.ExpressionAttributeValues[':leaseToken']).toEqual({ S: 'token-1' });
    expect(merged.ExpressionAttributeValues[':result']).toEqual({ S: '1' });
    expect(merged.ExpressionAttributeNames['#result']).toBe('data');
  });

  it('completes an undefined result without a result attribute or placeholder', () => {
    const update = createItemExpressions(names).complete('token-1', 99, {});
    expect(update.UpdateExpression).toBe('SET #status = :completed, #expiry = :expiry REMOVE #leaseExpiry, #steps');
    expect(update.ExpressionAttributeNames).not.toHaveProperty('#result');
    expect(update.ExpressionAttributeValues).not.toHaveProperty(':result');
  });

  it('fences a release on the lease token', () => {
    const condition = createItemExpressions(names).ownsClaim('token-2');
    expect(condition.ConditionExpression).toBe('#status = :inProgress AND #leaseToken = :leaseToken');
    expect(condition.ExpressionAttributeValues[':leaseToken']).toEqual({ S: 'token-2' });
  });

  it('holds an operator delete to the status and lease token read, or to the token still being absent', () => {
    const completed = createItemExpressions(names).unchangedSince({ status: 'COMPLETED', leaseToken: 'token-3' });
    const tokenless = createItemExpressions(names).unchangedSince({ status: 'IN_PROGRESS', leaseToken: undefined });
    expect(completed.ConditionExpression).toBe('#status = :status AND #leaseToken = :leaseToken');
    expect(completed.ExpressionAttributeValues).toEqual({ ':status': { S: 'COMPLETED' }, ':leaseToken': { S: 'token-3' } });
    expect(tokenless.ConditionExpression).toBe('#status = :status AND attribute_not_exists(#leaseToken)');
    expect(tokenless.ExpressionAttributeValues).toEqual({ ':status': { S: 'IN_PROGRESS' } });
    expect(tokenless.ExpressionAttributeNames).toEqual({ '#status': 'status', '#leaseToken': 'lease_token' });
  });
});

describe('resolveHeldRecord', () => {
  const inProgress = { id: 'abc', status: 'IN_PROGRESS' as const, expiresAtEpochSeconds: 2_000, leaseExpiresAtEpochMs: 30_000, fingerprintHash: 'f1' };

  it('checks the fingerprint before anything else', () => {
    const resolution = resolveHeldRecord(inProgress, 'f2', 0);
    expect(resolution.outcome).toBe('mismatch');
    expect('error' in resolution && resolution.error).toBeInstanceOf(IdempotencyPayloadMismatchError);
  });

  it('answers an in-progress record with the seconds left on its lease', () => {
    const resolution = resolveHeldRecord(inProgress, 'f1', 12_500);
    expect('error' in resolution && resolution.error).toBeInstanceOf(IdempotencyInProgressError);
    expect('error' in resolution && (resolution.error as IdempotencyInProgressError).retryAfterSeconds).toBe(18);
  });

  it('answers a completed record whose result was not stored with its own error', () => {
    const resolution = resolveHeldRecord({ ...inProgress, status: 'COMPLETED', result: { kind: 'not-stored' } }, undefined, 0);
    expect('error' in resolution && resolution.error).toBeInstanceOf(IdempotencyResultNotStoredError);
  });
});

describe('createLocalCache', () => {
  const entry = { expiresAtEpochSeconds: 100, result: { kind: 'undefined' } as const };

  it('evicts the least recently used entry beyond its size', () => {
    const cache = createLocalCache(2);
    cache.set('a', entry);
    cache.set('b', entry);
    cache.get('a', 0);
    cache.set('c', entry);
    expect(cache.get('a', 0)).toBe(entry);
    expect(cache.get('b', 0)).toBeUndefined();
    expect(cache.get('c', 0)).toBe(entry);
  });

  it('drops an entry once it has expired', () => {
    const cache = createLocalCache(2);
    cache.set('a', entry);
    expect(cache.get('a', 100_000)).toBeUndefined();
    expect(cache.get('a', 0)).toBeUndefined();
  });
});
