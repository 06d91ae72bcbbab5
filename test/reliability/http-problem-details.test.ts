import { describe, expect, it } from '@jest/globals';
import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { randomBytes, randomUUID } from 'node:crypto';
import { completeWithTransaction, createDynamoDBStore, httpIdempotency, type IdempotencyOutcome, type IdempotencyStore } from '../../lib/idempotency/index.js';
import { restEvent } from '../support/api-gateway-events.js';
import { createIdempotencyTable } from '../support/dynamodb.js';
import { injectFaults, stepCommands } from '../support/fault-injector.js';
import { createGates, takeOverExpiredLease } from '../support/lease-takeover.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { waitFor } from '../support/wait-for.js';
import { useStoreFixture } from '../support/store-fixture.js';

const fixture = useStoreFixture();

interface Chain {
  readonly invoke: (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult>;
  readonly outcomes: IdempotencyOutcome[];
  readonly logged: Array<Record<string, unknown>>;
}

function chainOver(
  store: IdempotencyStore,
  handler: (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>,
  now?: () => number,
): Chain {
  const outcomes: IdempotencyOutcome[] = [];
  const logged: Array<Record<string, unknown>> = [];
  const wrapped = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(httpErrorHandler({ logger: false }))
    .use(
      httpIdempotency<APIGatewayProxyEvent, APIGatewayProxyResult>({
        store,
        now,
        onOutcome: (outcome) => outcomes.push(outcome),
        logger: (_m, details) => logged.push(details),
      }),
    )
    .handler(handler);
  return { invoke: (event, context = createLambdaContext()) => wrapped(event, context), outcomes, logged };
}

const post = (key: string | undefined, body = '{"amount":1}') => restEvent({ headers: key === undefined ? {} : { 'Idempotency-Key': key }, body });

/** Everything an HTTP answer must never carry: the table name, a record id (64 hex), an SDK error message or a stack frame. */
function expectNoInternals(answer: APIGatewayProxyResult, tableName: string, sdkMessage?: string): void {
  const text = JSON.stringify(answer);
  expect(text).not.toContain(tableName);
  expect(text).not.toMatch(/[0-9a-f]{64}/);
  expect(text).not.toMatch(/\bat .+:\d+:\d+/);
  expect(text).not.toMatch(/DynamoDB|PutItem|UpdateItem|TransactWriteItems/);
  if (sdkMessage !== undefined) expect(text).not.toContain(sdkMessage);
}

describe('problem details over HTTP', () => {
  it('answers a claim the store refuses with a 503 naming no table, record or SDK message; the details reach onOutcome and logger', async () => {
    // Arrange
    const sdkMessage = `Rate exceeded for table ${fixture.tableName}`;
    const faulty = createDynamoDBStore({ tableName: fixture.tableName, client: fixture.client });
    const stop = injectFaults(faulty.client, {
      commands: [stepCommands.claim],
      error: () =>
        Object.assign(new Error(sdkMessage), { name: 'ProvisionedThroughputExceededException', $fault: 'client', $metadata: { httpStatusCode: 400 } }),
    });
    const chain = chainOver(faulty, async () => ({ statusCode: 201, body: 'ran' }));

    // Act
    const answer = await chain.invoke(post(`store-down-${randomUUID()}`)).finally(stop);

    // Assert
    expect(answer.statusCode).toBe(503);
    expectNoInternals(answer, fixture.tableName, sdkMessage);
    expect(chain.outcomes).toContainEqual(expect.objectContaining({ type: 'store-error', recordId: expect.stringMatching(/^[0-9a-f]{64}$/) }));
    expect(chain.logged).toContainEqual(expect.objectContaining({ recordId: expect.any(String), error: expect.any(Error) }));
  });

  it('answers a transaction the store fails after the handler with a 503 naming no table or SDK message', async () => {
    // Arrange
    const tableName = await createIdempotencyTable(fixture.client);
    const faulty = createDynamoDBStore({ tableName, client: fixture.client });
    const stop = injectFaults(faulty.client, { commands: [stepCommands.transaction] });
    const writes: TransactWriteItem[] = [{ Put: { TableName: tableName, Item: { id: { S: `other-${randomUUID()}` } } } }];
    const chain = chainOver(faulty, async (_event, context) => {
      const response = { statusCode: 201, body: 'ran' };
      await completeWithTransaction(context, { writes, result: response });
      return response;
    });

    // Act
    const answer = await chain.invoke(post(`tx-down-${randomUUID()}`)).finally(stop);

    // Assert
    expect(answer.statusCode).toBe(503);
    expectNoInternals(answer, tableName, 'Rate of requests exceeds the allowed throughput.');
  });

  it('answers a transactional completion refused by a takeover with a 409 naming no record', async () => {
    // Arrange
    let nowMs = Date.now();
    const gates = createGates();
    const chain = chainOver(
      fixture.store,
      async (_event, context) => {
        await gates.wait();
        const response = { statusCode: 201, body: 'ran' };
        await completeWithTransaction(context, { writes: [], result: response });
        return response;
      },
      () => nowMs,
    );
    const event = post(`takeover-${randomUUID()}`);

    // Act
    const { stale } = await takeOverExpiredLease(
      (context) => chain.invoke(event, context),
      gates,
      () => (nowMs += 60_000),
    );

    // Assert
    expect((stale as APIGatewayProxyResult).statusCode).toBe(409);
    expectNoInternals(stale as APIGatewayProxyResult, fixture.tableName);
  });

  it('names no internals in any refusal: missing, invalid and repeated keys, another payload, in progress, not stored', async () => {
    // Arrange
    const tinyStore = createDynamoDBStore({ tableName: fixture.tableName, client: fixture.client, compressAboveBytes: 32, maxStoredResultBytes: 64 });
    const gates = createGates();
    const slow = chainOver(fixture.store, async () => {
      await gates.wait();
      return { statusCode: 201, body: 'slow' };
    });
    const large = chainOver(tinyStore, async () => ({ statusCode: 201, body: randomBytes(256).toString('base64') }));
    const busyKey = `busy-${randomUUID()}`;
    const largeKey = `large-${randomUUID()}`;
    const running = slow.invoke(post(busyKey));
    await waitFor(() => gates.arrived() === 1);
    await large.invoke(post(largeKey));
    const repeated = post(`twice-${randomUUID()}`);
    repeated.multiValueHeaders = { 'Idempotency-Key': ['a', 'b'] };

    // Act
    const answers = [
      await slow.invoke(post(undefined)),
      await slow.invoke(post('k'.repeat(300))),
      await slow.invoke(repeated),
      await slow.invoke(post(busyKey)),
      await slow.invoke(post(busyKey, '{"amount":2}')),
      await large.invoke(post(largeKey)),
    ];
    gates.open(0);
    await running;

    // Assert
    expect(answers.map((answer) => answer.statusCode)).toEqual([400, 400, 400, 409, 422, 409]);
    for (const answer of answers) expectNoInternals(answer, fixture.tableName);
  });
});
