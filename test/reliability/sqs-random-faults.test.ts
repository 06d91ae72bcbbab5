import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, SQSRecord } from 'aws-lambda';
import { createDynamoDBStore, createSqsBatchHandler, deriveRecordId, type IdempotencyOutcome } from '../../lib/idempotency/index.js';
import { createIdempotencyTable, createTestClient } from '../support/dynamodb.js';
import { createExecutionLedger, type ExecutionLedger } from '../support/execution-ledger.js';
import { faultKinds, injectFaults } from '../support/fault-injector.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { replayHint, seededRandom, testSeed } from '../support/seed.js';
import { createSqsEvent, createSqsRecord, failedMessageIds, redeliverSqsRecord } from '../support/sqs-events.js';

const payments = 24;
const faultShare = 0.15;
// Each round is one invocation and nothing runs between rounds, so a lease still held after a round has no holder:
// the clock moves past it, as time would before SQS redelivers.
const leaseMs = 60_000;
const maxRounds = 200;
// Every command a batch handler sends: the reads, claims and completions ahead, and each record's own calls.
const commands = ['BatchExecuteStatementCommand', 'BatchGetItemCommand', 'PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'GetItemCommand'];
// Separate streams, so that the draws of one concern do not shift those of another: batches are drawn in sequence,
// a handler's failure depends only on its payment and run, and each command and placement has its own fault stream.
const schedule = seededRandom(testSeed);
const failsThisRun = (payment: string, run: number) =>
  seededRandom(testSeed + run * 7_919 + [...payment].reduce((sum, char) => sum * 31 + char.charCodeAt(0), 0))() < 1 / 6;
let client: DynamoDBClient;
let faulty: DynamoDBClient;
let tableName: string;
let ledger: ExecutionLedger;

beforeAll(async () => {
  client = createTestClient();
  faulty = createTestClient();
  tableName = await createIdempotencyTable(client);
  ledger = createExecutionLedger(client, tableName);
  const kinds = Object.values(faultKinds);
  let stream = 1;
  for (const command of commands) {
    for (const loses of ['request-lost', 'response-lost'] as const) {
      for (const at of ['before-retries', 'inside-retries'] as const) {
        const random = seededRandom(testSeed + stream++ * 104_729);
        const error = () => (kinds[Math.floor(random() * kinds.length)] ?? faultKinds.throttling)();
        injectFaults(faulty, { commands: [command], error, share: faultShare / 2, random, loses, at });
      }
    }
  }
});
afterAll(() => {
  client.destroy();
  faulty.destroy();
});

describe(`SQS batches with ${Math.round(faultShare * 100)}% of DynamoDB calls failing at random, any kind, before and inside the SDK's retries (${replayHint})`, () => {
  it('runs each payment under a live claim of its own, never twice at once, and again only after a failure, until every message succeeds', async () => {
    // Arrange: every payment sent twice, as a producer resending it makes two messages: a second copy that arrives after
    // the first completed must replay it, and one that finds its key held must not run beside it.
    const messages = Array.from({ length: payments }, (_, payment) =>
      Array.from({ length: 2 }, (_, copy) => createSqsRecord(`${testSeed}-${payment}-${copy}`, { body: `payment-${testSeed}-${payment}` })),
    ).flat();
    let clockMs = Date.now();
    const throws = new Map<string, number>();
    const outcomes: IdempotencyOutcome[] = [];
    const handler = createSqsBatchHandler(
      async (record: SQSRecord, context: Context) =>
        ledger.run(record.body, context, async (run) => {
          // One run in six fails, so releases and their faults are exercised too.
          if (failsThisRun(record.body, run)) {
            throws.set(record.body, (throws.get(record.body) ?? 0) + 1);
            throw new Error('declined');
          }
          return { charged: record.body };
        }),
      {
        store: createDynamoDBStore({ tableName, client: faulty }),
        key: (record) => record.body,
        now: () => clockMs,
        expiresAfterSeconds: 7 * 86_400,
        onOutcome: (outcome) => outcomes.push(outcome),
      },
    );

    // Act: SQS hands out up to 10 pending messages per batch, in random order, counting every receive, until none is left.
    let pending = [...messages];
    let rounds = 0;
    for (; pending.length > 0 && rounds < maxRounds; rounds += 1) {
      const shuffled = pending.map((record) => ({ record, order: schedule() })).sort((a, b) => a.order - b.order);
      const batch = shuffled.slice(0, 1 + Math.floor(schedule() * 10)).map(({ record }) => record);
      const failed = new Set(failedMessageIds(await handler(createSqsEvent(batch), createLambdaContext({ remainingMs: leaseMs }))));
      const handedOut = new Set(batch.map(({ messageId }) => messageId));
      pending = [
        ...pending.filter(({ messageId }) => !handedOut.has(messageId)),
        ...batch.filter(({ messageId }) => failed.has(messageId)).map(redeliverSqsRecord),
      ];
      clockMs += leaseMs + 1;
    }

    // Assert: a payment runs again only after its handler threw or a store call failed on its key.
    const functionName = createLambdaContext().functionName;
    const storeErrors = (payment: string) => {
      const recordId = deriveRecordId({ functionName, namespace: 'sqs', clientKey: payment });
      return outcomes.filter((outcome) => outcome.recordId === recordId && outcome.type === 'store-error').length;
    };
    const rerunsWithoutCause = [...new Set(messages.map(({ body }) => body))]
      .map((payment) => ({ payment, runs: ledger.executions(payment), allowed: 1 + (throws.get(payment) ?? 0) + storeErrors(payment) }))
      .filter(({ runs, allowed }) => runs > allowed);
    expect(pending).toEqual([]);
    expect(ledger.violations).toEqual([]);
    expect(rerunsWithoutCause).toEqual([]);
    expect(rounds).toBeGreaterThan(0);
  });
});
