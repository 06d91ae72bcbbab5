import { describe, expect, it } from '@jest/globals';
import { readCallerScope } from '../../../lib/idempotency/http/caller-scope.js';

describe('readCallerScope', () => {
  it.each([
    [
      'a REST Lambda authorizer principal and context',
      { authorizer: { principalId: 'p1', tenant: 't', integrationLatency: 3 } },
      '{"authorizer":{"principalId":"p1","tenant":"t"}}',
    ],
    [
      'REST Cognito claims, without per-token claims',
      { authorizer: { claims: { sub: 's1', iat: 1, exp: 2, jti: 'j' } } },
      '{"authorizer":{"claims":{"sub":"s1"}}}',
    ],
    [
      'HTTP API JWT claims, without scopes',
      { authorizer: { jwt: { claims: { sub: 's2' }, scopes: ['a'] } } },
      '{"authorizer":{"jwt":{"claims":{"sub":"s2"}}}}',
    ],
    [
      'an HTTP API Lambda authorizer context',
      { authorizer: { lambda: { tenantId: 't-1', nested: { b: 1, a: 2 } } } },
      '{"authorizer":{"lambda":{"nested":{"a":2,"b":1},"tenantId":"t-1"}}}',
    ],
    [
      'an HTTP API or Function URL IAM caller, without its access key',
      { authorizer: { iam: { userArn: 'arn:aws:iam::1:user/a', accessKey: 'ASIA' } } },
      '{"authorizer":{"iam":{"userArn":"arn:aws:iam::1:user/a"}}}',
    ],
    [
      'a REST IAM caller and API key',
      { authorizer: null, identity: { userArn: 'arn:aws:iam::1:user/b', apiKeyId: 'k', sourceIp: '1.2.3.4', accessKey: 'AKIA' } },
      '{"identity":{"apiKeyId":"k","userArn":"arn:aws:iam::1:user/b"}}',
    ],
    [
      'an mTLS client certificate',
      { authentication: { clientCert: { issuerDN: 'CN=ca', serialNumber: '7', validity: { notAfter: 'x' } } } },
      '{"clientCert":{"issuerDN":"CN=ca","serialNumber":"7"}}',
    ],
  ])('scopes by %s', (_name, requestContext, expected) => {
    expect(readCallerScope({ requestContext })).toBe(expected);
  });

  it('reads the ALB OIDC identity header on ALB events only', () => {
    const headers = { 'x-amzn-oidc-identity': 'user-1' };
    expect(readCallerScope({ headers, requestContext: { elb: { targetGroupArn: 'arn' } } })).toBe('{"oidcIdentity":"user-1"}');
    expect(readCallerScope({ headers, requestContext: {} })).toBeUndefined();
  });

  it('returns undefined when the event names no caller', () => {
    expect(
      readCallerScope({ requestContext: { authorizer: { principalId: '', integrationLatency: 0 }, identity: { sourceIp: '1.2.3.4', userArn: null } } }),
    ).toBeUndefined();
    expect(readCallerScope({})).toBeUndefined();
    expect(readCallerScope('not an event')).toBeUndefined();
  });
});
