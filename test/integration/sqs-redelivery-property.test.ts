import { describe, expect, it } from '@jest/globals';
import type { SQSRecord } from 'aws-lambda';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { createSqsBatchHandler } from '../../lib/idempotency/index.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { createSqsEvent, createSqsRecord, failedMessageIds, redeliverSqsRecord } from '../support/sqs-events.js';
import { useStoreFixture } from '../support/store-fixture.js';

const fixture = useStoreFixture();
const poolSize = 5;
// Batches of message indexes into the pool (duplicates allowed), and how many times each message's handler throws first.
const scenario = fc.record({
  fifo: fc.boolean(),
  batches: fc.array(fc.array(fc.nat({ max: poolSize - 1 }), { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 }),
  failuresFirst: fc.array(fc.nat({ max: 2 }), { minLength: poolSize, maxLength: poolSize }),
});

describe('createSqsBatchHandler under redelivery', () => {
  it('completes every message exactly once however batches repeat, duplicate and fail, once SQS redelivers the failures', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ fifo, batches, failuresFirst }) => {
        // Arrange
        const run = randomUUID();
        // Every delivery of a message counts one more receive, as SQS does, so redeliveries are read ahead of their claims.
        const deliveries = new Map<number, SQSRecord>();
        const recordFor = (index: number) => {
          const last = deliveries.get(index);
          const record =
            last === undefined ? createSqsRecord(`${run}-${index}`, fifo ? { messageGroupId: `${run}-${index % 2}` } : {}) : redeliverSqsRecord(last);
          deliveries.set(index, record);
          return record;
        };
        const throwsLeft = [...failuresFirst];
        const completions = new Map<string, number>();
        const handler = createSqsBatchHandler(
          async (record: SQSRecord) => {
            const index = Number(record.messageId.slice(run.length + 1));
            if ((throwsLeft[index] ?? 0) > 0) {
              throwsLeft[index] = (throwsLeft[index] ?? 0) - 1;
              throw new Error('transient');
            }
            completions.set(record.messageId, (completions.get(record.messageId) ?? 0) + 1);
          },
          { store: fixture.store },
        );

        // Act: deliver every batch, then redeliver whatever failed until nothing does, as SQS would.
        let pending: SQSRecord[] = [];
        for (const batch of batches) {
          const records = batch.map(recordFor);
          const failed = new Set(failedMessageIds(await handler(createSqsEvent(records), createLambdaContext())));
          pending.push(...records.filter((record) => failed.has(record.messageId)));
        }
        for (let round = 0; pending.length > 0 && round < 20; round += 1) {
          const redelivery = pending.map((record) => recordFor(Number(record.messageId.slice(run.length + 1))));
          const failed = new Set(failedMessageIds(await handler(createSqsEvent(redelivery), createLambdaContext())));
          pending = redelivery.filter((record) => failed.has(record.messageId));
        }

        // Assert
        const delivered = new Set(batches.flat().map((index) => `${run}-${index}`));
        expect(pending).toEqual([]);
        expect([...completions.keys()].sort()).toEqual([...delivered].sort());
        expect([...completions.values()].every((count) => count === 1)).toBe(true);
      }),
      { numRuns: 12 },
    );
  });
});
