import { beforeAll, describe, expect, it, jest } from '@jest/globals';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { randomBytes } from 'node:crypto';
import { createSqsBatchHandler, deriveRecordId, type IdempotencyOutcome, type SqsBatchHandlerOptions } from '../../lib/idempotency/index.js';
import { countCalls, type CallCounter } from '../support/call-counter.js';
import { layoutKey, tableLayouts } from '../support/dynamodb.js';
import { injectFaults, type FaultPlacement } from '../support/fault-injector.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { createSqsEvent, failedMessageIds, redeliverSqsRecord } from '../support/sqs-events.js';
import { paymentKeyOptions, paymentMessages } from '../support/sqs-record-states.js';
import { useStoreFixture } from '../support/store-fixture.js';

const paymentIdOf = (record: SQSRecord) => (JSON.parse(record.body) as { paymentId: string }).paymentId;

describe.each(tableLayouts)('createSqsBatchHandler completing records that finish together, on a table keyed by a %s', (_name, layout) => {
  const fixture = useStoreFixture(layout);
  let calls: CallCounter;
  beforeAll(() => {
    calls = countCalls(fixture.client);
  });
  const recordIdOf = (record: SQSRecord) =>
    deriveRecordId({ functionName: createLambdaContext().functionName, namespace: 'sqs', clientKey: paymentIdOf(record) });

  /** Delivers `records` once through a batch handler running `recordHandler`, and returns the outcomes by type. */
  const deliver = async (records: SQSRecord[], recordHandler: (record: SQSRecord) => Promise<unknown>, options: Partial<SqsBatchHandlerOptions> = {}) => {
    const outcomes: IdempotencyOutcome[] = [];
    const logged: string[] = [];
    const handler = createSqsBatchHandler(recordHandler, {
      store: fixture.store,
      ...paymentKeyOptions,
      onOutcome: (outcome) => outcomes.push(outcome),
      logger: (message) => logged.push(message),
      ...options,
    });
    const response = await handler(createSqsEvent(records), createLambdaContext());
    const ofType = (type: IdempotencyOutcome['type']) => outcomes.filter((outcome) => outcome.type === type).map((outcome) => outcome.recordId);
    return { failed: failedMessageIds(response), completed: ofType('completed'), leaseLost: ofType('lease-lost'), logged };
  };

  it('reports lease-lost for the one record whose key was taken over, and completes the others in the same call', async () => {
    // Arrange: while the handler of the first record runs, another invocation's claim replaces its lease token.
    const records = paymentMessages('takeover', 3);
    const takenOver = recordIdOf(records[0]!);
    calls.reset();

    // Act: every handler waits for the takeover, so that all records finish together and complete in one call.
    let takeover: Promise<unknown> | undefined;
    const answer = await deliver(records, async (record) => {
      takeover ??= fixture.client.send(
        new UpdateItemCommand({
          TableName: fixture.tableName,
          Key: layoutKey(takenOver, layout),
          UpdateExpression: 'SET lease_token = :other',
          ExpressionAttributeValues: { ':other': { S: 'another-invocation' } },
        }),
      );
      await takeover;
      return { charged: record.messageId };
    });

    // Assert
    expect(answer.failed).toEqual([]);
    expect(answer.leaseLost).toEqual([takenOver]);
    expect(answer.completed.sort()).toEqual(records.slice(1).map(recordIdOf).sort());
    expect(calls.calls).toEqual({ BatchExecuteStatementCommand: 2, UpdateItemCommand: 1 });
    expect((await fixture.store.get(takenOver))?.status).toBe('IN_PROGRESS');
  });

  it.each([
    ['never reaches DynamoDB', 'request-lost', 'before-retries'],
    ['is applied and its answer lost', 'response-lost', 'before-retries'],
    ['is applied and its answer lost on one attempt inside the SDK retries', 'response-lost', 'inside-retries'],
  ] as const)(
    'completes each record on its own when the batched completion %s, and the redelivery replays them all',
    async (_case, loses, at: FaultPlacement) => {
      // Arrange: the fault is armed once the claims ahead are made, so it meets the completions' call.
      const records = paymentMessages(`completion-${loses}`, 4);
      let stop = () => {};
      calls.reset();

      // Act
      const answer = await deliver(records, async (record) => {
        if (record === records[0]) stop = injectFaults(fixture.client, { commands: ['BatchExecuteStatementCommand'], loses, at, times: 1 });
        return { charged: record.messageId };
      }).finally(() => stop());
      const completing = { ...calls.calls };
      calls.reset();
      const redelivered = await createSqsBatchHandler(async () => ({}), { store: fixture.store, ...paymentKeyOptions })(
        createSqsEvent(records.map(redeliverSqsRecord)),
        createLambdaContext(),
      );

      // Assert: a lost answer leaves every record completed by the batch; its own UpdateItem recognises that write.
      expect(answer.failed).toEqual([]);
      expect(answer.leaseLost).toEqual([]);
      expect(answer.completed.sort()).toEqual(records.map(recordIdOf).sort());
      // Inside the SDK's retries, the resent statements find the records completed by this claim: no UpdateItem is needed.
      expect(completing).toEqual({ BatchExecuteStatementCommand: 2, UpdateItemCommand: at === 'inside-retries' ? undefined : 4 });
      expect(answer.logged).toEqual(at === 'inside-retries' ? [] : ['Completing records together failed; each record completes on its own']);
      expect(failedMessageIds(redelivered)).toEqual([]);
      expect(calls.calls).toEqual({ BatchGetItemCommand: 1 });
    },
  );

  it('completes a record whose stored result is over 32 KB on its own, and the others together', async () => {
    // Arrange: random text barely compresses, so the stored result stays above the batched limit.
    const records = paymentMessages('large', 3);
    const large = randomBytes(60_000).toString('base64');
    calls.reset();

    // Act
    const answer = await deliver(records, async (record) => (record === records[0] ? { large } : { charged: record.messageId }));
    const completing = { ...calls.calls };
    const stored = await fixture.store.get(recordIdOf(records[0]!));

    // Assert
    expect(answer.completed).toHaveLength(3);
    expect(completing).toEqual({ BatchExecuteStatementCommand: 2, UpdateItemCommand: 1 });
    expect(stored?.status).toBe('COMPLETED');
    expect(stored?.result?.kind).toBe('gzip');
  });

  it('completes each record with its own UpdateItem with completeTogether: false', async () => {
    // Arrange
    const records = paymentMessages('apart', 3);
    calls.reset();

    // Act
    const answer = await deliver(records, async (record) => ({ charged: record.messageId }), { completeTogether: false });

    // Assert
    expect(answer.completed).toHaveLength(3);
    expect(calls.calls).toEqual({ BatchExecuteStatementCommand: 1, UpdateItemCommand: 3 });
  });

  it('refuses a completeTogether that is not a boolean, naming it', () => {
    expect(() => createSqsBatchHandler(async () => undefined, { store: fixture.store, completeTogether: 1 as unknown as boolean })).toThrow(
      /`completeTogether`/,
    );
  });

  it('completes a batch while a test fakes the global timers', async () => {
    // Arrange: Jest's fake timers replace the global setImmediate, which a user's own tests of their handler may do.
    const records = paymentMessages('fake-timers', 3);
    calls.reset();
    jest.useFakeTimers();

    // Act
    const answer = await deliver(records, async (record) => ({ charged: record.messageId })).finally(() => jest.useRealTimers());

    // Assert
    expect(answer.completed).toHaveLength(3);
    expect(calls.calls).toEqual({ BatchExecuteStatementCommand: 2 });
  });

  it('stores every kind of result exactly as a completion on its own stores it', async () => {
    // Arrange: one batch completes together, the other record by record; each returns the same four kinds of result.
    const results = {
      none: undefined,
      small: { charged: 4_200 },
      compressed: { receipt: 'line of a long receipt '.repeat(300) },
      unstorable: 10n,
    } as const;
    const kinds = Object.keys(results) as (keyof typeof results)[];
    const batches = { together: paymentMessages('together', kinds.length), apart: paymentMessages('apart', kinds.length) };
    const resultOf = (records: SQSRecord[], record: SQSRecord) => results[kinds[records.indexOf(record)]!];

    // Act
    calls.reset();
    await deliver(batches.together, async (record) => resultOf(batches.together, record));
    const togetherCalls = { ...calls.calls };
    await deliver(batches.apart, async (record) => resultOf(batches.apart, record), { completeTogether: false });
    const stored = async (records: SQSRecord[]) =>
      Promise.all(
        records.map(async (record) => {
          const { status, result, leaseExpiresAtEpochMs } = (await fixture.store.get(recordIdOf(record)))!;
          return { status, result, leaseExpiresAtEpochMs };
        }),
      );

    // Assert
    expect(togetherCalls).toEqual({ BatchExecuteStatementCommand: 2 });
    const together = await stored(batches.together);
    expect(together).toEqual(await stored(batches.apart));
    expect(together.map(({ result }) => result?.kind)).toEqual(['undefined', 'json', 'gzip', 'not-stored']);
    expect(together.every(({ status, leaseExpiresAtEpochMs }) => status === 'COMPLETED' && leaseExpiresAtEpochMs === undefined)).toBe(true);
  });
});
