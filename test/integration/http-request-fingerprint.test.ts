import { describe, expect, it } from '@jest/globals';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, APIGatewayProxyResult } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { httpIdempotency } from '../../lib/idempotency/index.js';
import { httpApiEvent, restEvent } from '../support/api-gateway-events.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { useStoreFixture } from '../support/store-fixture.js';

const fixture = useStoreFixture();

/** A handler that answers with its run count, through httpIdempotency with every default, and the answers' statuses. */
function countingApi<TEvent>() {
  let runs = 0;
  const handler = middy<TEvent, APIGatewayProxyResult>()
    .use(httpIdempotency<TEvent, APIGatewayProxyResult>({ store: fixture.store }))
    .handler(async () => ({ statusCode: 201, body: String(++runs) }));
  return { invoke: (event: TEvent) => handler(event, createLambdaContext()), runs: () => runs };
}

const rest = (key: string, parts: Partial<APIGatewayProxyEvent>): APIGatewayProxyEvent => ({
  ...restEvent({ headers: { 'Idempotency-Key': key }, body: '{"amount":100}', resource: parts.resource, path: parts.path }),
  ...parts,
});

describe('the default fingerprint of httpIdempotency (real store)', () => {
  it('answers 422 when one key is reused on another path behind the same route template', async () => {
    // Arrange
    const api = countingApi<APIGatewayProxyEvent>();
    const key = `transfer-${randomUUID()}`;
    const transfer = (account: string) =>
      rest(key, { resource: '/accounts/{accountId}/transfers', path: `/accounts/${account}/transfers`, pathParameters: { accountId: account } });

    // Act
    const toA = await api.invoke(transfer('A'));
    const toB = await api.invoke(transfer('B'));
    const toAAgain = await api.invoke(transfer('A'));

    // Assert
    expect([toA.statusCode, toB.statusCode, toAAgain.statusCode]).toEqual([201, 422, 201]);
    expect(toAAgain.headers?.['Idempotent-Replayed']).toBe('true');
    expect(api.runs()).toBe(1);
  });

  it('answers 422 when one key is reused on another path behind {proxy+}, REST and HTTP API alike', async () => {
    // Arrange
    const restApi = countingApi<APIGatewayProxyEvent>();
    const httpApi = countingApi<APIGatewayProxyEventV2>();
    const key = `proxy-${randomUUID()}`;
    const v2 = (rawPath: string) => ({ ...httpApiEvent({ routeKey: 'ANY /{proxy+}', headers: { 'idempotency-key': `${key}-v2` }, body: '{}' }), rawPath });

    // Act
    const orders = await restApi.invoke(rest(key, { resource: '/{proxy+}', path: '/orders' }));
    const refunds = await restApi.invoke(rest(key, { resource: '/{proxy+}', path: '/refunds' }));
    const ordersV2 = await httpApi.invoke(v2('/orders'));
    const refundsV2 = await httpApi.invoke(v2('/refunds'));

    // Assert
    expect([orders.statusCode, refunds.statusCode, ordersV2.statusCode, refundsV2.statusCode]).toEqual([201, 422, 201, 422]);
  });

  it('answers 422 for other query parameters and replays the same ones in any order, repeated ones included', async () => {
    // Arrange
    const restApi = countingApi<APIGatewayProxyEvent>();
    const httpApi = countingApi<APIGatewayProxyEventV2>();
    const key = `query-${randomUUID()}`;
    const withQuery = (multiValueQueryStringParameters: Record<string, string[]>) =>
      rest(key, {
        queryStringParameters: Object.fromEntries(Object.entries(multiValueQueryStringParameters).map(([n, v]) => [n, v[v.length - 1]])),
        multiValueQueryStringParameters,
      });
    const v2 = (rawQueryString: string) => ({ ...httpApiEvent({ headers: { 'idempotency-key': `${key}-v2` }, body: '{}' }), rawQueryString });

    // Act
    const first = await restApi.invoke(withQuery({ amount: ['100'], tag: ['a', 'b'] }));
    const reordered = await restApi.invoke(withQuery({ tag: ['b', 'a'], amount: ['100'] }));
    const otherAmount = await restApi.invoke(withQuery({ amount: ['999'], tag: ['a', 'b'] }));
    const lastTagOnly = await restApi.invoke(withQuery({ amount: ['100'], tag: ['b'] }));
    const firstV2 = await httpApi.invoke(v2('amount=100&tag=a&tag=b'));
    const reorderedV2 = await httpApi.invoke(v2('tag=b&amount=100&tag=a'));
    const otherAmountV2 = await httpApi.invoke(v2('amount=999&tag=a&tag=b'));

    // Assert
    expect([first, reordered, otherAmount, lastTagOnly].map((answer) => answer.statusCode)).toEqual([201, 201, 422, 422]);
    expect(reordered.headers?.['Idempotent-Replayed']).toBe('true');
    expect([firstV2, reorderedV2, otherAmountV2].map((answer) => answer.statusCode)).toEqual([201, 201, 422]);
    expect([restApi.runs(), httpApi.runs()]).toEqual([1, 1]);
  });
});
