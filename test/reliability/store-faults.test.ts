import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import httpErrorHandler from '@middy/http-error-handler';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import {
  completeWithTransaction,
  createDynamoDBStore,
  httpIdempotency,
  idempotency,
  isIdempotencyError,
  isIdempotencyInProgressError,
} from '../../lib/idempotency/index.js';
import { restEvent } from '../support/api-gateway-events.js';
import { createLayoutTable, createOrdersTable, createTestClient, tableLayouts, type TableLayout } from '../support/dynamodb.js';
import { createExecutionLedger, type ExecutionLedger } from '../support/execution-ledger.js';
import { faultKinds, injectFaults, stepCommands } from '../support/fault-injector.js';
import { checkFaultCase, faultCasesAt, lifecycleSteps, type CallerOutcome, type FaultCase, type Invoke } from '../support/fault-scenario.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { httpOutcome } from '../support/http-outcome.js';

// Each case's clock stands still until the case moves it past the lease, so the lease can be as long as a real one:
// Middy's early timeout, which uses real time, never fires on a loaded machine.
const leaseMs = 60_000;
let client: DynamoDBClient;
let tableName: string;
let layout: TableLayout;
let ordersTable: string;
let ledger: ExecutionLedger;

beforeAll(async () => {
  client = createTestClient();
  ordersTable = await createOrdersTable(client);
});
afterAll(() => client.destroy());

class PlannedHandlerFailure extends Error {}

/** The handler every case wraps: checks its claim, commits an order in the transaction case, fails once in the release case. */
async function runHandler(fault: FaultCase, key: string, context: Context): Promise<{ key: string; execution: number }> {
  return ledger.run(key, context, async (execution) => {
    const result = { key, execution };
    if (fault.step === 'release' && execution === 1) throw new PlannedHandlerFailure();
    if (fault.step === 'transaction') {
      const put = { Put: { TableName: ordersTable, Item: { orderId: { S: `${key}#${execution}` }, key: { S: key } } } };
      await completeWithTransaction(context, { writes: [put], result });
    }
    return result;
  });
}

// The SDK's own retry strategy with short backoffs, so a fault retried inside the SDK ends well within the lease.
const quickRetries = () => new ConfiguredRetryStrategy(3, () => 10);

function faultyStore(fault: FaultCase) {
  const faulty = createTestClient(fault.at === 'inside-retries' ? { retryStrategy: quickRetries() } : {});
  injectFaults(faulty, { commands: [stepCommands[fault.step]], error: faultKinds[fault.kind], loses: fault.loses, at: fault.at, times: 1 });
  return { store: createDynamoDBStore({ tableName, client: faulty, ...layout }), destroy: () => faulty.destroy() };
}

const coreOutcome = async (call: () => Promise<unknown>): Promise<CallerOutcome> => {
  try {
    return { kind: 'answer', result: await call() };
  } catch (error) {
    if (isIdempotencyInProgressError(error)) return { kind: 'in-progress' };
    if (isIdempotencyError(error)) return { kind: 'refused', detail: error.name };
    if (error instanceof PlannedHandlerFailure) return { kind: 'handler-failed' };
    return { kind: 'untyped', detail: String(error) };
  }
};

type Clock = () => number;

const adapters: Array<[string, (fault: FaultCase, key: string, store: ReturnType<typeof faultyStore>['store'], now: Clock) => Invoke]> = [
  [
    'idempotency() middleware',
    (fault, key, store, now) => {
      const handler = middy(async (_event: { key: string }, context: Context) => runHandler(fault, key, context)).use(
        idempotency<{ key: string }, unknown>({ store, key: (event) => event.key, now }),
      );
      return () => coreOutcome(() => handler({ key }, createLambdaContext({ remainingMs: leaseMs })));
    },
  ],
  [
    'httpIdempotency() middleware',
    (fault, key, store, now) => {
      const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
        .use(httpHeaderNormalizer())
        .use(httpErrorHandler({ logger: false }))
        // Duplicates are answered at once (no wait), as the fault scenarios assume; waits have their own tests.
        .use(httpIdempotency<APIGatewayProxyEvent, APIGatewayProxyResult>({ store, now, waitForInProgressMs: 0 }))
        .handler(async (_event, context) => {
          try {
            return { statusCode: 201, body: JSON.stringify(await runHandler(fault, key, context)) };
          } catch (error) {
            if (!(error instanceof PlannedHandlerFailure)) throw error;
            return { statusCode: 503, headers: { 'Content-Type': 'application/problem+json' }, body: '{"type":"urn:test:handler-failed"}' };
          }
        });
      return async () =>
        httpOutcome(await handler(restEvent({ headers: { 'Idempotency-Key': key }, body: '{}' }), createLambdaContext({ remainingMs: leaseMs })));
    },
  ],
];

const countOrders = async (key: string) => {
  const scan = await client.send(
    new ScanCommand({
      TableName: ordersTable,
      ConsistentRead: true,
      FilterExpression: '#key = :key',
      ExpressionAttributeNames: { '#key': 'key' },
      ExpressionAttributeValues: { ':key': { S: key } },
    }),
  );
  return scan.Items?.length ?? 0;
};

// Each table layout in turn: the module-level table, layout and ledger belong to the describe block that runs.
describe.each(tableLayouts)('on a table keyed by a %s', (_name, tableLayout) => {
  beforeAll(async () => {
    layout = tableLayout;
    tableName = await createLayoutTable(client, layout);
    ledger = createExecutionLedger(client, tableName, layout);
  });

  describe.each(adapters)('store faults through the %s', (adapterName, adapt) => {
    it.each(lifecycleSteps)('keeps every invariant for every fault kind at the %s step', async (step) => {
      // Arrange
      const runs = faultCasesAt(step).map((fault) => ({
        fault,
        key: `${adapterName.slice(0, 4)}-${step}-${fault.kind}-${fault.loses}-${fault.at}-${Math.random().toString(36).slice(2)}`.replace(/ /g, '_'),
      }));

      // Act
      const results = await Promise.all(
        runs.map(async ({ fault, key }) => {
          const { store, destroy } = faultyStore(fault);
          let clockMs = Date.now();
          const endLease = () => (clockMs += leaseMs + 1);
          const probe = { executions: () => ledger.executions(key), orders: () => countOrders(key) };
          const problems = await checkFaultCase(
            fault,
            adapt(fault, key, store, () => clockMs),
            probe,
            endLease,
          );
          destroy();
          return problems.map((problem) => `${fault.kind}, ${fault.loses} ${fault.at}: ${problem}`);
        }),
      );

      // Assert
      expect(results.flat()).toEqual([]);
      expect(ledger.violations).toEqual([]);
    });
  });
});
