import { describe, expect, it } from '@jest/globals';
import middy from '@middy/core';
import { createOutcomeMetrics, createSqsBatchHandler, idempotency, makeIdempotent } from '../../lib/idempotency/index.js';
import { parseEmfLine } from '../support/emf-specification.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { createSqsEvent, createSqsRecord } from '../support/sqs-events.js';
import { useStoreFixture } from '../support/store-fixture.js';

const fixture = useStoreFixture();
const freshKey = (label: string) => `${label}-${Math.random().toString(36).slice(2)}`;

/** A reporter that keeps its lines, for the namespace the handler uses. */
function createRecordingMetrics(namespace: string) {
  const lines: string[] = [];
  return { lines, metrics: createOutcomeMetrics({ namespace, write: (line) => lines.push(line) }) };
}

describe('createOutcomeMetrics over the adapters, against DynamoDB Local', () => {
  it('writes one line for a first Middy invocation and one for its replay, which skips every after hook', async () => {
    // Arrange
    const { lines, metrics } = createRecordingMetrics('charge');
    const handler = metrics.wrapHandler(
      middy(async (event: { key: string }) => ({ charged: event.key })).use(
        idempotency<{ key: string }>({ store: fixture.store, namespace: 'charge', key: (event) => event.key, onOutcome: metrics.onOutcome }),
      ),
    );
    const event = { key: freshKey('payment') };

    // Act
    await handler(event, createLambdaContext({ functionName: 'payments' }));
    await handler(event, createLambdaContext({ functionName: 'payments' }));

    // Assert
    const [first, replay] = lines.map((line) => parseEmfLine(line));
    expect(lines).toHaveLength(2);
    expect(first).toMatchObject({ FunctionName: 'payments', Namespace: 'charge', Claimed: 1, Completed: 1 });
    expect(first?.StoreLatency).toHaveLength(2);
    expect(replay).toMatchObject({ Replayed: 1, StoreLatency: [expect.any(Number)] });
    expect(replay?.Claimed).toBeUndefined();
  });

  it('writes one line for a whole SQS batch, however many records it holds', async () => {
    // Arrange
    const { lines, metrics } = createRecordingMetrics('sqs');
    const handler = metrics.wrapHandler(createSqsBatchHandler(async (record) => record.body, { store: fixture.store, onOutcome: metrics.onOutcome }));
    const [a, b] = [freshKey('a'), freshKey('b')];

    // Act
    await handler(createSqsEvent([createSqsRecord(a), createSqsRecord(b), createSqsRecord(a)]), createLambdaContext());

    // Assert
    expect(lines).toHaveLength(1);
    expect(parseEmfLine(lines[0] as string)).toMatchObject({ Claimed: 2, Completed: 2, Replayed: 1 });
  });

  it('writes the claim and its release in one line when a wrapped function throws', async () => {
    // Arrange
    const { lines, metrics } = createRecordingMetrics('refund');
    const refund = makeIdempotent(
      async (_input: { key: string }) => {
        throw new Error('bank unavailable');
      },
      { store: fixture.store, namespace: 'refund', key: (input) => input.key, onOutcome: metrics.onOutcome },
    );
    const handler = metrics.wrapHandler(refund);

    // Act
    const call = handler({ key: freshKey('refund') });

    // Assert
    await expect(call).rejects.toThrow('bank unavailable');
    expect(lines).toHaveLength(1);
    expect(parseEmfLine(lines[0] as string)).toMatchObject({ Claimed: 1, Released: 1 });
  });
});
