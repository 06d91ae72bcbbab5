import { describe, expect, it } from '@jest/globals';
import { readCallerScope } from '../../../lib/idempotency/http/caller-scope.js';

describe('readCallerScope', () => {
  it.each([
    ['a REST Lambda authorizer principal', { authorizer: { principalId: 'p1', claims: { sub: 's' } } }, 'principal:p1'],
    ['REST Cognito claims', { authorizer: { claims: { sub: 's1' } } }, 'sub:s1'],
    ['HTTP API JWT claims', { authorizer: { jwt: { claims: { sub: 's2' } } } }, 'sub:s2'],
    ['an HTTP API IAM caller', { authorizer: { iam: { userArn: 'arn:aws:iam::1:user/a' } } }, 'iam:arn:aws:iam::1:user/a'],
    ['a REST IAM caller', { authorizer: null, identity: { userArn: 'arn:aws:iam::1:user/b', apiKeyId: 'k' } }, 'iam:arn:aws:iam::1:user/b'],
    ['an API key id', { identity: { userArn: null, apiKeyId: 'key-1' } }, 'api-key:key-1'],
  ])('scopes by %s', (_name, requestContext, expected) => {
    expect(readCallerScope({ requestContext })).toBe(expected);
  });

  it('returns undefined when the event names no caller', () => {
    expect(readCallerScope({ requestContext: { authorizer: { principalId: '' }, identity: { sourceIp: '1.2.3.4' } } })).toBeUndefined();
    expect(readCallerScope({})).toBeUndefined();
    expect(readCallerScope('not an event')).toBeUndefined();
  });
});
