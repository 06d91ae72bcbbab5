import { beforeAll, describe, expect, it } from '@jest/globals';
import type { BatchExecuteStatementCommandInput, BatchExecuteStatementCommandOutput } from '@aws-sdk/client-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { createDynamoDBStore, createSqsBatchHandler, deriveRecordId, type IdempotencyStore, type SqsBatchHandlerOptions } from '../../lib/idempotency/index.js';
import { countCalls, type CallCounter } from '../support/call-counter.js';
import { createIdempotencyTable, createTestClient, tableLayouts } from '../support/dynamodb.js';
import { injectFaults } from '../support/fault-injector.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { createSqsEvent, createSqsRecord, failedMessageIds, redeliverSqsRecord } from '../support/sqs-events.js';
import { answerRecordStatesTwice, claimAnswers, paymentKeyOptions, paymentMessages } from '../support/sqs-record-states.js';
import { useStoreFixture, type StoreFixture } from '../support/store-fixture.js';

const claimedAheadMessage = 'Claiming records ahead of their runs failed; each record claims its key instead';

/** A batch handler over `store` that counts its runs per message id. */
function countingHandler(store: IdempotencyStore, options: Partial<SqsBatchHandlerOptions> = {}) {
  const runs = new Map<string, number>();
  const handler = createSqsBatchHandler(
    async (record: SQSRecord) => {
      runs.set(record.messageId, (runs.get(record.messageId) ?? 0) + 1);
      return { charged: record.messageId };
    },
    { store, ...paymentKeyOptions, ...options },
  );
  return { handler, runs };
}

describe.each(tableLayouts)('createSqsBatchHandler claiming first deliveries ahead, on a table keyed by a %s', (_name, layout) => {
  const fixture = useStoreFixture(layout);
  let calls: CallCounter;
  beforeAll(() => {
    calls = countCalls(fixture.client);
  });

  it.each([10, 60])(
    'claims a first delivery of %i new messages with one BatchExecuteStatement per 25, runs each once, and completes them together',
    async (size) => {
      // Arrange
      const { handler, runs } = countingHandler(fixture.store);
      const records = paymentMessages('new', size);
      calls.reset();

      // Act
      const response = await handler(createSqsEvent(records), createLambdaContext());
      const firstDelivery = { ...calls.calls };
      calls.reset();
      const redelivered = await handler(createSqsEvent(records.map(redeliverSqsRecord)), createLambdaContext());

      // Assert: the redelivery is answered from one read, so every record completed under its claim made ahead.
      expect(failedMessageIds(response)).toEqual([]);
      // The claims, then the completions of the records, which all finish together: one call per 25 each.
      expect(firstDelivery).toEqual({ BatchExecuteStatementCommand: 2 * Math.ceil(size / 25) });
      expect(failedMessageIds(redelivered)).toEqual([]);
      expect(calls.calls).toEqual({ BatchGetItemCommand: 1 });
      expect(runs.size).toBe(size);
      expect([...runs.values()].every((count) => count === 1)).toBe(true);
    },
  );

  it('answers every state a record can be in exactly as the claims alone would', async () => {
    // Arrange, act: the same states in two tables, the messages sent again to each, with preclaimFirstDeliveries on the first only.
    const { answers, sent } = await answerRecordStatesTwice(fixture.store, calls, layout, 'resent', 'preclaimFirstDeliveries');

    // Assert
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]).toEqual(claimAnswers);
    // Claimed ahead, the two keys without a record (never claimed, and released) cost no claim of their own; the
    // seven with one claim as before.
    expect(sent).toEqual([
      { BatchExecuteStatementCommand: 1, PutItemCommand: 7, UpdateItemCommand: 4 },
      { PutItemCommand: 9, UpdateItemCommand: 4 },
    ]);
  });

  it.each([
    ['fails before the SDK retries it', 'before-retries'],
    ['fails on every attempt inside the SDK retries', 'inside-retries'],
  ] as const)('claims every record on its own when the claim ahead %s', async (_case, at) => {
    // Arrange
    const logged: string[] = [];
    // One record at a time, so that each completion is its own UpdateItem and the calls are exact.
    const { handler, runs } = countingHandler(fixture.store, { logger: (message) => logged.push(message), maxConcurrency: 1 });
    const records = paymentMessages('claim-fault', 4);
    calls.reset();
    const stop = injectFaults(fixture.client, { commands: ['BatchExecuteStatementCommand'], at });

    // Act
    const response = await handler(createSqsEvent(records), createLambdaContext()).finally(stop);

    // Assert
    expect(failedMessageIds(response)).toEqual([]);
    expect(calls.calls).toEqual({ BatchExecuteStatementCommand: 1, PutItemCommand: 4, UpdateItemCommand: 4 });
    expect([...runs.values()]).toEqual([1, 1, 1, 1]);
    expect(logged).toEqual([claimedAheadMessage]);
  });

  it.each([
    ['after the SDK retries', 'before-retries'],
    ['on one attempt, which the SDK sends again', 'inside-retries'],
  ] as const)('recognises the claims ahead DynamoDB wrote when their answer is lost %s, and runs each record once', async (_case, at) => {
    // Arrange: the INSERTs are applied, then the answer is lost, so no claim is confirmed (a retry meets DuplicateItem).
    const logged: string[] = [];
    const { handler, runs } = countingHandler(fixture.store, { logger: (message) => logged.push(message), maxConcurrency: 1 });
    const records = paymentMessages('claim-lost', 4);
    calls.reset();
    const stop = injectFaults(fixture.client, { commands: ['BatchExecuteStatementCommand'], loses: 'response-lost', times: 1, at });

    // Act
    const response = await handler(createSqsEvent(records), createLambdaContext()).finally(stop);

    // Assert: each record's own claim, under the token of its lost claim ahead, finds its own write and runs.
    expect(failedMessageIds(response)).toEqual([]);
    expect(calls.calls).toEqual({ BatchExecuteStatementCommand: 1, PutItemCommand: 4, UpdateItemCommand: 4 });
    expect([...runs.values()]).toEqual([1, 1, 1, 1]);
    expect(logged).toEqual(at === 'before-retries' ? [claimedAheadMessage] : []);
  });

  it('claims on its own a record whose INSERT DynamoDB refused for another reason than an existing record, and logs it', async () => {
    // Arrange
    const logged: string[] = [];
    const { handler, runs } = countingHandler(fixture.store, { logger: (message) => logged.push(message), maxConcurrency: 1 });
    const records = paymentMessages('refused', 3);
    calls.reset();
    const stop = throttleFirstStatement(fixture);

    // Act
    const response = await handler(createSqsEvent(records), createLambdaContext()).finally(stop);

    // Assert: the other two INSERTs landed; their records' own claims recognise them as their own writes.
    expect(failedMessageIds(response)).toEqual([]);
    expect(calls.calls).toEqual({ BatchExecuteStatementCommand: 1, PutItemCommand: 3, UpdateItemCommand: 3 });
    expect([...runs.values()]).toEqual([1, 1, 1]);
    expect(logged).toEqual([claimedAheadMessage]);
  });

  it('claims a key two first deliveries share once, and the second replays', async () => {
    // Arrange: two messages carrying one payment, as a producer that sent it twice makes them.
    const { handler, runs } = countingHandler(fixture.store);
    const [first] = paymentMessages('twice', 1);
    const twin = createSqsRecord(`twin-${randomUUID()}`, { body: first!.body });
    const statements: number[] = [];
    const stop = watchStatements(fixture, statements);
    calls.reset();

    // Act
    const response = await handler(createSqsEvent([first!, twin]), createLambdaContext()).finally(stop);

    // Assert
    expect(failedMessageIds(response)).toEqual([]);
    expect(statements).toEqual([1]);
    expect(calls.calls).toEqual({ BatchExecuteStatementCommand: 1, PutItemCommand: 1, UpdateItemCommand: 1 });
    expect([...runs.entries()]).toEqual([[first!.messageId, 1]]);
  });

  it('leaves a key to its records when a redelivered message of it comes first in the batch, so that message runs', async () => {
    // Arrange: the redelivered message runs first in its key's lane; a claim ahead for the resent one behind it would
    // hold the key against it.
    const { handler, runs } = countingHandler(fixture.store);
    const [message] = paymentMessages('lane', 1);
    const resent = createSqsRecord(`resent-${randomUUID()}`, { body: message!.body });
    calls.reset();

    // Act
    const response = await handler(createSqsEvent([redeliverSqsRecord(message!), resent]), createLambdaContext());

    // Assert
    expect(failedMessageIds(response)).toEqual([]);
    expect(calls.calls).toEqual({ BatchGetItemCommand: 1, PutItemCommand: 2, UpdateItemCommand: 1 });
    expect([...runs.entries()]).toEqual([[message!.messageId, 1]]);
  });

  it('claims nothing ahead for the keys its local cache replays', async () => {
    // Arrange
    const { handler, runs } = countingHandler(fixture.store, { localCacheMaxEntries: 10 });
    const records = paymentMessages('cached', 3);
    await handler(createSqsEvent(records), createLambdaContext());
    calls.reset();

    // Act: the same messages again, as a producer resending them (first deliveries, new message ids).
    const response = await handler(createSqsEvent(records.map((record) => ({ ...record, messageId: `${record.messageId}-again` }))), createLambdaContext());

    // Assert
    expect(failedMessageIds(response)).toEqual([]);
    expect(calls.calls).toEqual({});
    expect([...runs.values()]).toEqual([1, 1, 1]);
  });

  it("derives each record's fingerprint once per delivery, whether it is claimed ahead, read ahead or claimed on its own", async () => {
    // Arrange: the fingerprint function counts its calls; fingerprinting a large body is the costly part of a key.
    let fingerprints = 0;
    const { handler } = countingHandler(fixture.store, {
      fingerprint: (record) => {
        fingerprints += 1;
        return (JSON.parse(record.body) as { cents: number }).cents;
      },
    });
    const records = paymentMessages('derived-once', 4);
    const resent = records.map((record) => ({ ...record, messageId: `${record.messageId}-resent` }));

    // Act
    const counts = [];
    for (const delivery of [records, records.map(redeliverSqsRecord), resent]) {
      fingerprints = 0;
      expect(failedMessageIds(await handler(createSqsEvent(delivery), createLambdaContext()))).toEqual([]);
      counts.push(fingerprints);
    }

    // Assert: new (claimed ahead), redelivered (read ahead), resent (claimed ahead, refused, then claimed on its own).
    expect(counts).toEqual([4, 4, 4]);
  });

  it('claims FIFO records on their own, and nothing ahead with preclaimFirstDeliveries: false', async () => {
    // Arrange
    const { handler } = countingHandler(fixture.store);
    const { handler: withoutClaimAhead } = countingHandler(fixture.store, { preclaimFirstDeliveries: false, maxConcurrency: 1 });
    const fifo = paymentMessages('fifo', 3).map((record) => ({ ...record, attributes: { ...record.attributes, MessageGroupId: 'group-1' } }));
    calls.reset();

    // Act
    await handler(createSqsEvent(fifo), createLambdaContext());
    const fifoCalls = { ...calls.calls };
    calls.reset();
    await withoutClaimAhead(createSqsEvent(paymentMessages('off', 3)), createLambdaContext());

    // Assert
    expect(fifoCalls).toEqual({ PutItemCommand: 3, UpdateItemCommand: 3 });
    expect(calls.calls).toEqual({ PutItemCommand: 3, UpdateItemCommand: 3 });
  });
});

describe('createSqsBatchHandler claiming first deliveries ahead, on a table whose attribute names need quoting', () => {
  it('claims ahead under key and TTL names with quotes, dots and spaces, and the redelivery replays', async () => {
    // Arrange: PartiQL quotes attribute names as string literals, so a quote inside one must be escaped.
    const client = createTestClient();
    const names = { keyAttribute: `it's "the" key.id`, expiryAttribute: `ex'piry at` };
    const tableName = await createIdempotencyTable(client, names.keyAttribute, names.expiryAttribute);
    const store = createDynamoDBStore({ tableName, client, ...names });
    const calls = countCalls(client);
    const { handler, runs } = countingHandler(store);
    const records = paymentMessages('quoted', 3);

    // Act
    const response = await handler(createSqsEvent(records), createLambdaContext());
    const firstDelivery = { ...calls.calls };
    const redelivered = await handler(createSqsEvent(records.map(redeliverSqsRecord)), createLambdaContext());
    const record = await store.get(deriveRecordId({ functionName: createLambdaContext().functionName, namespace: 'sqs', clientKey: records[0]!.messageId }));
    client.destroy();

    // Assert
    expect(failedMessageIds(response)).toEqual([]);
    expect(firstDelivery).toEqual({ BatchExecuteStatementCommand: 2 });
    expect(failedMessageIds(redelivered)).toEqual([]);
    expect(record?.status).toBe('COMPLETED');
    expect([...runs.values()]).toEqual([1, 1, 1]);
  });

  it('refuses a preclaimFirstDeliveries that is not a boolean, naming it', () => {
    const store = createDynamoDBStore({ tableName: 'idempotency' });
    expect(() => createSqsBatchHandler(async () => undefined, { store, preclaimFirstDeliveries: 'yes' as unknown as boolean })).toThrow(
      /`preclaimFirstDeliveries`/,
    );
  });
});

/**
 * Fault injector: DynamoDB refuses the first statement of the next `BatchExecuteStatement` with a throttling error,
 * as it may for one statement of a batch; DynamoDB Local never does. The statement is not sent, so it is not applied.
 */
function throttleFirstStatement(fixture: StoreFixture): () => void {
  const name = 'faultInjectorThrottledStatement';
  let armed = true;
  fixture.client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!armed || context.commandName !== 'BatchExecuteStatementCommand') return next(args);
      armed = false;
      const input = args.input as BatchExecuteStatementCommandInput;
      const output = await next({ ...args, input: { ...input, Statements: input.Statements?.slice(1) } });
      const answer = output.output as BatchExecuteStatementCommandOutput;
      answer.Responses = [
        { Error: { Code: 'ThrottlingError', Message: 'Throughput exceeds the current capacity of your table' } },
        ...(answer.Responses ?? []),
      ];
      return output;
    },
    { step: 'initialize', name },
  );
  return () => fixture.client.middlewareStack.remove(name);
}

/** Records how many statements each `BatchExecuteStatement` carries, until the returned function is called. */
function watchStatements(fixture: StoreFixture, counts: number[]): () => void {
  const name = 'statementCounter';
  fixture.client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'BatchExecuteStatementCommand') counts.push((args.input as BatchExecuteStatementCommandInput).Statements?.length ?? 0);
      return next(args);
    },
    { step: 'initialize', name },
  );
  return () => fixture.client.middlewareStack.remove(name);
}
