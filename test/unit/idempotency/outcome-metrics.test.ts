import { afterEach, describe, expect, it } from '@jest/globals';
import {
  createOutcomeMetrics,
  idempotencyMetricNames,
  outcomeMetricNames,
  type IdempotencyOutcome,
  type IdempotencyOutcomeType,
  type OutcomeMetricsOptions,
} from '../../../lib/idempotency/index.js';
import { emfViolations, parseEmfLine } from '../../support/emf-specification.js';
import { createLambdaContext } from '../../support/lambda-context.js';

const timestampMs = 1_790_000_000_000;

/** A reporter whose lines are kept, with a fixed clock; each invocation runs `report` inside a wrapped handler. */
function createRecordingMetrics(options: OutcomeMetricsOptions = {}) {
  const lines: string[] = [];
  const metrics = createOutcomeMetrics({ namespace: 'charge', write: (line) => lines.push(line), now: () => timestampMs, ...options });
  const invoke = (outcomes: IdempotencyOutcome[], functionName = 'payments-charge') =>
    metrics.wrapHandler(async (_event: unknown, _context: unknown) => {
      for (const outcome of outcomes) metrics.onOutcome(outcome);
      return 'done';
    })({}, createLambdaContext({ functionName }));
  return { lines, metrics, invoke };
}

const claimed: IdempotencyOutcome = { type: 'claimed', recordId: 'r1', durationMs: 12 };
const completed: IdempotencyOutcome = { type: 'completed', recordId: 'r1', durationMs: 8 };

afterEach(() => {
  delete process.env.AWS_LAMBDA_FUNCTION_NAME;
});

describe('createOutcomeMetrics', () => {
  it('writes one valid EMF line per invocation: counts, store latencies, both dimension sets', async () => {
    // Arrange
    const { lines, invoke } = createRecordingMetrics();

    // Act
    await invoke([claimed, completed]);

    // Assert
    expect(lines).toHaveLength(1);
    const document = parseEmfLine(lines[0] as string);
    expect(document._aws).toEqual({
      Timestamp: timestampMs,
      CloudWatchMetrics: [
        {
          Namespace: 'LambdaIdempotency',
          Dimensions: [['FunctionName'], ['FunctionName', 'Namespace']],
          Metrics: [
            { Name: 'Claimed', Unit: 'Count' },
            { Name: 'Completed', Unit: 'Count' },
            { Name: 'StoreLatency', Unit: 'Milliseconds' },
          ],
        },
      ],
    });
    expect(document).toMatchObject({ FunctionName: 'payments-charge', Namespace: 'charge', Claimed: 1, Completed: 1, StoreLatency: [12, 8] });
  });

  it.each(Object.entries(outcomeMetricNames) as Array<[IdempotencyOutcomeType, string]>)('counts every %s outcome as %s', async (type, name) => {
    // Arrange
    const { lines, invoke } = createRecordingMetrics();

    // Act
    await invoke([
      { type, durationMs: 5 },
      { type, durationMs: 7 },
    ]);

    // Assert
    const document = parseEmfLine(lines[0] as string);
    expect(document[name]).toBe(2);
    expect(document._aws.CloudWatchMetrics[0]?.Metrics).toContainEqual({ Name: name, Unit: 'Count' });
  });

  it('counts a duplicate that waited under Waited with its WaitTime, not as a store latency', async () => {
    // Arrange
    const { lines, invoke } = createRecordingMetrics();

    // Act
    await invoke([{ type: 'replayed', recordId: 'r1', durationMs: 340, waitedMs: 320, storeCalls: 4 }]);

    // Assert
    const document = parseEmfLine(lines[0] as string);
    expect(document).toMatchObject({ Replayed: 1, Waited: 1, WaitTime: [320] });
    expect(document[idempotencyMetricNames.storeLatency]).toBeUndefined();
  });

  it('gives a skip and a local-cache replay no store latency, since neither called the store', async () => {
    // Arrange
    const { lines, invoke } = createRecordingMetrics();

    // Act
    await invoke([
      { type: 'skipped', durationMs: 0 },
      { type: 'replayed', recordId: 'r1', durationMs: 0, fromCache: true },
    ]);

    // Assert
    const document = parseEmfLine(lines[0] as string);
    expect(document).toMatchObject({ Skipped: 1, Replayed: 1 });
    expect(document.StoreLatency).toBeUndefined();
  });

  it('writes nothing for an invocation that reported no outcome', async () => {
    // Arrange
    const { lines, invoke } = createRecordingMetrics();

    // Act
    await invoke([]);

    // Assert
    expect(lines).toEqual([]);
  });

  it('writes the line when the handler throws, and the caller still gets the handler error', async () => {
    // Arrange
    const { lines, metrics } = createRecordingMetrics();
    const handler = metrics.wrapHandler(async (_event: unknown, _context: unknown) => {
      metrics.onOutcome(claimed);
      metrics.onOutcome({ type: 'released', recordId: 'r1', durationMs: 4 });
      throw new Error('card declined');
    });

    // Act
    const call = handler({}, createLambdaContext());

    // Assert
    await expect(call).rejects.toThrow('card declined');
    expect(parseEmfLine(lines[0] as string)).toMatchObject({ Claimed: 1, Released: 1 });
  });

  it('leaves the Namespace dimension out when the namespace is empty', async () => {
    // Arrange
    const { lines, invoke } = createRecordingMetrics({ namespace: '' });

    // Act
    await invoke([claimed]);

    // Assert
    const document = parseEmfLine(lines[0] as string);
    expect(document._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['FunctionName']]);
    expect(document.Namespace).toBeUndefined();
  });

  it('keeps counts exact and the durations at the 100 values EMF allows, in a batch of 150 records', async () => {
    // Arrange
    const { lines, invoke } = createRecordingMetrics();
    const outcomes = Array.from({ length: 150 }, (_, index): IdempotencyOutcome => ({ type: 'claimed', recordId: `r${index}`, durationMs: index }));

    // Act
    await invoke(outcomes);

    // Assert
    expect(emfViolations(lines[0] as string)).toEqual([]);
    const document = parseEmfLine(lines[0] as string);
    expect(document.Claimed).toBe(150);
    expect(document.StoreLatency).toEqual(Array.from({ length: 100 }, (_, index) => index));
  });

  it('keeps the tallies of two overlapping invocations apart', async () => {
    // Arrange
    const { lines, metrics } = createRecordingMetrics();
    let releaseFirst: () => void = () => undefined;
    const firstMayEnd = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    const handler = metrics.wrapHandler(async (outcomes: IdempotencyOutcome[], _context: unknown, gate?: Promise<void>) => {
      metrics.onOutcome(outcomes[0] as IdempotencyOutcome);
      await gate;
      for (const outcome of outcomes.slice(1)) metrics.onOutcome(outcome);
    });

    // Act
    const first = handler([claimed, completed], createLambdaContext({ functionName: 'first' }), firstMayEnd);
    await handler([{ type: 'in-progress', recordId: 'r1', durationMs: 3 }], createLambdaContext({ functionName: 'second' }));
    releaseFirst();
    await first;

    // Assert
    expect(lines.map((line) => parseEmfLine(line))).toEqual([
      expect.objectContaining({ FunctionName: 'second', InProgress: 1 }),
      expect.objectContaining({ FunctionName: 'first', Claimed: 1, Completed: 1 }),
    ]);
    expect(lines.map((line) => parseEmfLine(line).InProgress)).toEqual([1, undefined]);
  });

  it('writes an outcome reported outside a wrapped handler as a line of its own, named from AWS_LAMBDA_FUNCTION_NAME', () => {
    // Arrange
    const { lines, metrics } = createRecordingMetrics();
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'from-environment';

    // Act
    metrics.onOutcome(claimed);
    metrics.onOutcome(completed);

    // Assert
    expect(lines.map((line) => parseEmfLine(line))).toEqual([
      expect.objectContaining({ FunctionName: 'from-environment', Claimed: 1 }),
      expect.objectContaining({ FunctionName: 'from-environment', Completed: 1 }),
    ]);
  });

  it('writes an outcome that comes after its invocation ended as a line of its own, not into the line already written', async () => {
    // Arrange
    const { lines, metrics } = createRecordingMetrics();
    let late: Promise<void> = Promise.resolve();
    const handler = metrics.wrapHandler(async (_event: unknown, _context: unknown) => {
      metrics.onOutcome(claimed);
      // A timer fires after the handler's promise settled, so after the invocation's line was written.
      late = new Promise((resolve) => setTimeout(() => resolve(metrics.onOutcome(completed)), 0));
    });

    // Act
    await handler({}, createLambdaContext({ functionName: 'fire-and-forget' }));
    await late;

    // Assert
    expect(lines.map((line) => parseEmfLine(line))).toEqual([
      expect.objectContaining({ FunctionName: 'fire-and-forget', Claimed: 1 }),
      expect.objectContaining({ FunctionName: 'fire-and-forget', Completed: 1 }),
    ]);
    expect(parseEmfLine(lines[0] as string).Completed).toBeUndefined();
  });

  it('names the function unknown when it has neither a Lambda context nor AWS_LAMBDA_FUNCTION_NAME', async () => {
    // Arrange
    const { lines, metrics } = createRecordingMetrics();

    // Act
    await metrics.wrapHandler(async (_input: { paymentId: string }) => metrics.onOutcome(claimed))({ paymentId: 'p-1' });

    // Assert
    expect(parseEmfLine(lines[0] as string)).toMatchObject({ FunctionName: 'unknown', Claimed: 1 });
  });

  it('never lets a failing write change what the handler returns', async () => {
    // Arrange
    const { invoke } = createRecordingMetrics({
      write: () => {
        throw new Error('stdout closed');
      },
    });

    // Act
    const result = await invoke([claimed]);

    // Assert
    expect(result).toBe('done');
  });

  it.each([
    [{ namespace: 7 }, /`namespace`/],
    [{ metricNamespace: '' }, /`metricNamespace`/],
    [{ write: 'stdout' }, /`write`/],
    [{ now: 0 }, /`now`/],
  ])('refuses %p, naming the option', (options, message) => {
    expect(() => createOutcomeMetrics(options as unknown as OutcomeMetricsOptions)).toThrow(message);
  });

  it('writes to stdout by default, one line per document', async () => {
    // Arrange
    const written: string[] = [];
    const original = process.stdout.write;
    process.stdout.write = ((chunk: string) => written.push(chunk) > 0) as typeof process.stdout.write;
    const metrics = createOutcomeMetrics();

    // Act
    try {
      await metrics.wrapHandler(async (_event: unknown, _context: unknown) => metrics.onOutcome(claimed))({}, createLambdaContext());
    } finally {
      process.stdout.write = original;
    }

    // Assert
    expect(written).toHaveLength(1);
    expect(written[0]?.endsWith('}\n')).toBe(true);
    expect(parseEmfLine((written[0] as string).trimEnd())).toMatchObject({ Claimed: 1, FunctionName: 'test-function' });
  });
});
