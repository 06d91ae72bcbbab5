import { describe, expect, it } from '@jest/globals';
import { processStreamRecords, type StreamBatchPlan } from '../../../lib/idempotency/streams/process-stream-records.js';
import { createGate } from '../../support/gate.js';
import { waitFor } from '../../support/wait-for.js';
import type { StreamPosition } from '../../../lib/idempotency/streams/stream-record.js';

type Item = { readonly position: StreamPosition };
const at = (shard: string, sequenceNumber: string): Item => ({ position: { shard, sequenceNumber } });
const turn = () => new Promise((resolve) => setImmediate(resolve));

/** A plan whose records wait for their gate (when one is set) and throw when listed in `failing`. */
function createPlan(options: { failing?: string[]; gated?: string[] } = {}) {
  const gates = new Map((options.gated ?? []).map((sequenceNumber) => [sequenceNumber, createGate()]));
  const started: string[] = [];
  const failures: string[] = [];
  const plan: StreamBatchPlan<Item> = {
    maxConcurrency: 50,
    keyLaneOf: () => undefined,
    processRecord: async ({ position }) => {
      started.push(position.sequenceNumber);
      await gates.get(position.sequenceNumber)?.opened;
      if (options.failing?.includes(position.sequenceNumber)) throw new Error(`boom ${position.sequenceNumber}`);
    },
    onFailure: (item) => failures.push(item.position.sequenceNumber),
  };
  return { plan, started, failures, open: (sequenceNumber: string) => gates.get(sequenceNumber)?.open() };
}

describe('processStreamRecords', () => {
  it('runs a shard in order, stops it at its first failure and names only that record', async () => {
    // Arrange
    const { plan, started, failures } = createPlan({ failing: ['2', '3'] });

    // Act
    const response = await processStreamRecords([at('a', '1'), at('a', '2'), at('a', '3'), at('a', '4')], plan);

    // Assert
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '2' }] });
    expect(started).toEqual(['1', '2']);
    expect(failures).toEqual(['2']);
  });

  it('runs the shards of a batch side by side, and names the first failure of each, in batch order', async () => {
    // Arrange
    const { plan, started, open } = createPlan({ failing: ['a2', 'b1'], gated: ['a1'] });

    // Act
    const response = processStreamRecords([at('a', 'a1'), at('b', 'b1'), at('a', 'a2'), at('b', 'b2'), at('a', 'a3')], plan);
    await waitFor(() => started.length === 2);
    for (let round = 0; round < 10; round += 1) await turn();
    const whileA1Ran = [...started];
    open('a1');

    // Assert
    expect(await response).toEqual({ batchItemFailures: [{ itemIdentifier: 'b1' }, { itemIdentifier: 'a2' }] });
    expect(whileA1Ran).toEqual(['a1', 'b1']);
    expect(started).toEqual(['a1', 'b1', 'a2']);
  });

  it('answers a batch that succeeds, or is empty, with no failures', async () => {
    // Arrange
    const { plan } = createPlan();

    // Act and Assert
    expect(await processStreamRecords([at('a', '1'), at('b', '1')], plan)).toEqual({ batchItemFailures: [] });
    expect(await processStreamRecords([], plan)).toEqual({ batchItemFailures: [] });
  });
});
