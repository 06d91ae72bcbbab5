import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, APIGatewayProxyResult } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { createDynamoDBStore, httpIdempotency, readCallerScope } from '../../lib/idempotency/index.js';
import { httpApiEvent, restEvent } from '../support/api-gateway-events.js';
import { createIdempotencyTable, createTestClient } from '../support/dynamodb.js';
import { createLambdaContext } from '../support/lambda-context.js';

type AnyEvent = APIGatewayProxyEvent | APIGatewayProxyEventV2;

let client: DynamoDBClient;
let tableName: string;
let handler: (event: AnyEvent) => Promise<APIGatewayProxyResult>;
let executions = 0;

beforeAll(async () => {
  client = createTestClient();
  tableName = await createIdempotencyTable(client);
  // The response names who was served, never the key: the scan below must not find the key in it.
  handler = (() => {
    const wrapped = middy<AnyEvent, APIGatewayProxyResult>()
      .use(httpIdempotency<AnyEvent, APIGatewayProxyResult>({ store: createDynamoDBStore({ tableName, client }) }))
      .handler(async (event) => ({ statusCode: 201, body: JSON.stringify({ servedScope: readCallerScope(event) ?? 'anonymous', execution: ++executions }) }));
    return (event: AnyEvent) => wrapped(event, createLambdaContext({ functionName: 'payments' }));
  })();
});
afterAll(() => client.destroy());

const body = JSON.stringify({ amount: 100 });
const restAs = (principalId: string | undefined, key: string) =>
  restEvent({ headers: { 'Idempotency-Key': key }, body, requestContext: principalId === undefined ? {} : { authorizer: { principalId } } });
const jwtAs = (sub: string, key: string) => httpApiEvent({ routeKey: 'POST /orders', headers: { 'idempotency-key': key }, body, sub });
const served = (response: APIGatewayProxyResult) => JSON.parse(response.body) as { servedScope: string; execution: number };

type Caller = (key: string) => AnyEvent;
const withContext = (event: AnyEvent, requestContext: Record<string, unknown>): AnyEvent =>
  ({ ...event, requestContext: { ...event.requestContext, ...requestContext } }) as AnyEvent;
const restWith =
  (requestContext: Record<string, unknown>): Caller =>
  (key) =>
    withContext(restAs(undefined, key), requestContext);
const v2With =
  (requestContext: Record<string, unknown>): Caller =>
  (key) =>
    withContext(jwtAs('unused', key), { authorizer: undefined, ...requestContext });
const albWith =
  (headers: Record<string, string>): Caller =>
  (key) =>
    ({
      httpMethod: 'POST',
      path: '/orders',
      headers: { 'idempotency-key': key, ...headers },
      body,
      isBase64Encoded: false,
      requestContext: { elb: { targetGroupArn: 'arn:tg' } },
    }) as unknown as AnyEvent;
const iam = (userArn: string, accessKey: string) => ({ authorizer: { iam: { accessKey, accountId: '1', callerId: 'AIDA', userArn, userId: 'AIDA' } } });
const claims = (sub: string, jti: string, iat: number) => ({ sub, iss: 'https://issuer', jti, iat, exp: iat + 3600, auth_time: iat, 'custom:tenant': 't-1' });

describe('every identity source scopes the key; per-request fields do not', () => {
  it.each<[string, 'apart' | 'together', Caller, Caller]>([
    [
      'HTTP API Lambda authorizer contexts of two tenants',
      'apart',
      v2With({ authorizer: { lambda: { tenantId: 'a' } } }),
      v2With({ authorizer: { lambda: { tenantId: 'b' } } }),
    ],
    [
      'REST Lambda authorizer contexts of one principal for two tenants',
      'apart',
      restWith({ authorizer: { principalId: 'svc', tenant: 'a', integrationLatency: 5 } }),
      restWith({ authorizer: { principalId: 'svc', tenant: 'b', integrationLatency: 5 } }),
    ],
    [
      'one HTTP API Lambda authorizer caller across request ids and times',
      'together',
      v2With({ requestId: 'r-1', timeEpoch: 1, time: 't1', authorizer: { lambda: { tenantId: 'a' } } }),
      v2With({ requestId: 'r-2', timeEpoch: 2, time: 't2', authorizer: { lambda: { tenantId: 'a' } } }),
    ],
    [
      'a REST Lambda authorizer context whose integrationLatency changed',
      'together',
      restWith({ authorizer: { principalId: 'svc', tenant: 'a', integrationLatency: 5 } }),
      restWith({ authorizer: { principalId: 'svc', tenant: 'a', integrationLatency: 212 } }),
    ],
    ['two HTTP API IAM callers', 'apart', v2With(iam('arn:aws:iam::1:user/a', 'AKIA1')), v2With(iam('arn:aws:iam::1:user/b', 'AKIA1'))],
    [
      'one Function URL IAM caller with a new session key',
      'together',
      v2With(iam('arn:aws:iam::1:user/a', 'ASIA1')),
      v2With(iam('arn:aws:iam::1:user/a', 'ASIA2')),
    ],
    [
      'two REST Cognito identities',
      'apart',
      restWith({ identity: { cognitoIdentityId: 'id-a', sourceIp: '1.1.1.1' } }),
      restWith({ identity: { cognitoIdentityId: 'id-b', sourceIp: '1.1.1.1' } }),
    ],
    [
      'one REST API key from two addresses',
      'together',
      restWith({ identity: { apiKeyId: 'k1', sourceIp: '1.1.1.1' } }),
      restWith({ identity: { apiKeyId: 'k1', sourceIp: '2.2.2.2' } }),
    ],
    [
      'two REST Cognito user pool claims of one tenant',
      'apart',
      restWith({ authorizer: { claims: claims('u-a', 'j1', 1) } }),
      restWith({ authorizer: { claims: claims('u-b', 'j1', 1) } }),
    ],
    [
      'one JWT caller after a token refresh',
      'together',
      v2With({ authorizer: { jwt: { claims: claims('u-a', 'j1', 1), scopes: ['a'] } } }),
      v2With({ authorizer: { jwt: { claims: claims('u-a', 'j2', 9), scopes: ['a', 'b'] } } }),
    ],
    [
      'two mTLS client certificates',
      'apart',
      v2With({ authentication: { clientCert: { issuerDN: 'CN=ca', serialNumber: '1', clientCertPem: 'x' } } }),
      v2With({ authentication: { clientCert: { issuerDN: 'CN=ca', serialNumber: '2', clientCertPem: 'y' } } }),
    ],
    ['two ALB OIDC identities', 'apart', albWith({ 'x-amzn-oidc-identity': 'a' }), albWith({ 'x-amzn-oidc-identity': 'b' })],
    [
      'an OIDC header sent to API Gateway, where no load balancer set it',
      'together',
      restWith({}),
      (key) => ({ ...restAs(undefined, key), headers: { 'Idempotency-Key': key, 'x-amzn-oidc-identity': 'forged' } }),
    ],
  ])('keeps %s %s', async (_name, expected, first, second) => {
    // Arrange
    const key = `scope-${randomUUID()}`;

    // Act
    const answers = [await handler(first(key)), await handler(second(key))];

    // Assert
    const [one, two] = answers.map(served);
    if (expected === 'apart') expect(two.execution).not.toBe(one.execution);
    else expect(answers[1].headers?.['Idempotent-Replayed']).toBe('true');
    expect(answers.map((answer) => answer.statusCode)).toEqual([201, 201]);
  });
});

describe('tenant isolation through httpIdempotency', () => {
  it('runs once per principal for one key, and replays each response to its own principal only', async () => {
    // Arrange
    const key = `shared-${randomUUID()}`;

    // Act
    const [alice, mallory] = await Promise.all([handler(restAs('alice', key)), handler(restAs('mallory', key))]);
    const [aliceAgain, malloryAgain] = await Promise.all([handler(restAs('alice', key)), handler(restAs('mallory', key))]);

    // Assert
    expect(served(alice).servedScope).toBe('{"authorizer":{"principalId":"alice"}}');
    expect(served(mallory).servedScope).toBe('{"authorizer":{"principalId":"mallory"}}');
    expect(served(alice).execution).not.toBe(served(mallory).execution);
    expect(aliceAgain.body).toBe(alice.body);
    expect(aliceAgain.headers?.['Idempotent-Replayed']).toBe('true');
    expect(malloryAgain.body).toBe(mallory.body);
  });

  it('keeps JWT subjects, authorizer principals with the same name and anonymous callers apart', async () => {
    // Arrange
    const key = `shared-${randomUUID()}`;

    // Act
    const bySub = await handler(jwtAs('alice', key));
    const byPrincipal = await handler(restAs('alice', key));
    const anonymous = await handler(restAs(undefined, key));
    const otherSub = await handler(jwtAs('bob', key));
    const bySubAgain = await handler(jwtAs('alice', key));

    // Assert
    expect([bySub, byPrincipal, anonymous, otherSub].map((response) => served(response).servedScope)).toEqual([
      '{"authorizer":{"jwt":{"claims":{"sub":"alice"}}}}',
      '{"authorizer":{"principalId":"alice"}}',
      'anonymous',
      '{"authorizer":{"jwt":{"claims":{"sub":"bob"}}}}',
    ]);
    expect(new Set([bySub, byPrincipal, anonymous, otherSub].map((response) => served(response).execution)).size).toBe(4);
    expect(bySubAgain.body).toBe(bySub.body);
  });

  it('never writes the raw key, the quoted key or the header to the table', async () => {
    // Arrange
    const key = `raw-key-${randomUUID()}`;
    await handler(restAs('alice', key));
    await handler(restAs('mallory', `"${key}"`));
    await handler(jwtAs('carol', key));

    // Act
    const items = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: startKey }));
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    const stored = JSON.stringify(items);

    // Assert
    expect(items.length).toBeGreaterThanOrEqual(3);
    expect(stored).not.toContain(key);
    expect(stored.toLowerCase()).not.toContain('idempotency-key');
    for (const item of items) expect(item.id?.S).toMatch(/^[0-9a-f]{64}$/);
  });
});
