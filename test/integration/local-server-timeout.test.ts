import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dynamoDBEndpoint } from '../support/dynamodb.js';
import { stdoutEmfLines } from '../support/emf-capture.js';
import { parseEmfLine } from '../support/emf-specification.js';
import { startTestApi, type TestApi } from '../support/local-server.js';
import { startStallInjector, type StallInjector } from '../support/stall-injector.js';
import { waitFor } from '../support/wait-for.js';

// The functions of this file reach DynamoDB through the stall injector: once it stalls, no handler can ever answer,
// so the 504 below cannot depend on how fast the machine is.
const integrationTimeoutMs = 200;
let injector: StallInjector;
let api: TestApi;

beforeAll(async () => {
  injector = await startStallInjector(dynamoDBEndpoint());
  api = await startTestApi({ dynamoDBEndpoint: injector.endpoint, integrationTimeoutMs });
}, 60_000);
afterAll(async () => {
  await api.stop();
  await injector.stop();
  // The stalled POST's handler ends only now that its connection is reset, in a store error: its metrics line is the
  // sign that it has, so nothing of this file still runs (or prints) after it.
  const documents: Array<Record<string, unknown>> = [];
  await waitFor(() => {
    documents.push(...stdoutEmfLines().take().map(parseEmfLine));
    return documents.some((document) => document.FunctionName === 'CreateOrder' && document.StoreError === 1);
  });
});

describe('a handler still running at the integration timeout', () => {
  it("gets API Gateway's 504 and one log line saying why, for every route", async () => {
    // Arrange: from now on no request of this file can be answered by its handler (the integration timeout is short).
    injector.stall();
    const before = api.logLines.length;

    // Act
    const answers = await Promise.all([
      api.send('GET', '/orders/any-order'),
      api.send('POST', '/orders', {
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'stalled-order' },
        body: '{"productId":"p-1","quantity":1}',
      }),
    ]);

    // Assert
    expect(answers.map(({ status, body }) => ({ status, body }))).toEqual([
      { status: 504, body: { type: 'urn:orders-api:gateway:INTEGRATION_TIMEOUT', title: 'Endpoint request timed out', requestId: expect.any(String) } },
      { status: 504, body: { type: 'urn:orders-api:gateway:INTEGRATION_TIMEOUT', title: 'Endpoint request timed out', requestId: expect.any(String) } },
    ]);
    expect(api.logLines.slice(before).sort()).toEqual([
      expect.stringMatching(
        new RegExp(`^GET /orders/\\S+ 504 \\d+ ms\\n {2}the handler did not answer within the ${integrationTimeoutMs} ms integration timeout$`),
      ),
      expect.stringMatching(
        new RegExp(`^POST /orders 504 \\d+ ms\\n {2}the handler did not answer within the ${integrationTimeoutMs} ms integration timeout$`),
      ),
    ]);
  });
});
