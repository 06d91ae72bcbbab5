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

describe('tenant isolation through httpIdempotency', () => {
  it('runs once per principal for one key, and replays each response to its own principal only', async () => {
    // Arrange
    const key = `shared-${randomUUID()}`;

    // Act
    const [alice, mallory] = await Promise.all([handler(restAs('alice', key)), handler(restAs('mallory', key))]);
    const [aliceAgain, malloryAgain] = await Promise.all([handler(restAs('alice', key)), handler(restAs('mallory', key))]);

    // Assert
    expect(served(alice).servedScope).toBe('principal:alice');
    expect(served(mallory).servedScope).toBe('principal:mallory');
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
    expect([bySub, byPrincipal, anonymous, otherSub].map((response) => served(response).servedScope)).toEqual(['sub:alice', 'principal:alice', 'anonymous', 'sub:bob']);
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
