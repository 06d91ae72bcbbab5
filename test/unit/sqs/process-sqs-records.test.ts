import { describe, expect, it } from '@jest/globals';
import type { SQSRecord } from 'aws-lambda';
import { processSqsRecords, type SqsBatchPlan, type SqsRecordFailure } from '../../../lib/idempotency/sqs/process-sqs-records.js';
import { createGate, type Gate } from '../../support/gate.js';
import { createSqsRecord, failedMessageIds } from '../../support/sqs-events.js';
import { waitFor } from '../../support/wait-for.js';

type Item = { readonly record: SQSRecord };
const itemsOf = (records: SQSRecord[]): Item[] => records.map((record) => ({ record }));
const fifo = (id: string, group: string) => createSqsRecord(id, { messageGroupId: group });

/** A gate per message id, made when the record or the test first names it: its record runs until the test opens it. */
function createGates() {
  const gates = new Map<string, Gate>();
  const gateOf = (id: string): Gate => gates.get(id) ?? (gates.set(id, createGate()).get(id) as Gate);
  return { gate: (id: string) => gateOf(id).opened, open: (id: string) => gateOf(id).open() };
}

/** A plan whose records run until their gate opens, then throw when listed in `failing`; it logs starts and failures. */
function createPlan(options: { failing?: string[]; maxConcurrency?: number; keyOf?: (id: string) => string | undefined } = {}) {
  const { gate, open } = createGates();
  const started: string[] = [];
  const running = new Set<string>();
  let mostRunning = 0;
  const failures: Array<[string, SqsRecordFailure]> = [];
  const plan: SqsBatchPlan<Item> = {
    maxConcurrency: options.maxConcurrency ?? 50,
    keyLaneOf: (item) => options.keyOf?.(item.record.messageId),
    processRecord: async ({ record }) => {
      started.push(record.messageId);
      running.add(record.messageId);
      mostRunning = Math.max(mostRunning, running.size);
      await gate(record.messageId);
      running.delete(record.messageId);
      if (options.failing?.includes(record.messageId)) throw new Error(`boom ${record.messageId}`);
    },
    onFailure: (record, failure) => failures.push([record.messageId, failure]),
  };
  return { plan, open, started, failures, mostRunning: () => mostRunning };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('processSqsRecords', () => {
  it('starts every record of a standard queue before any finishes, and lists failures in batch order whatever order they fail in', async () => {
    // Arrange
    const { plan, open, started, failures } = createPlan({ failing: ['a', 'c'] });

    // Act
    const response = processSqsRecords(itemsOf(['a', 'b', 'c'].map((id) => createSqsRecord(id))), plan);
    await waitFor(() => started.length === 3);
    for (const id of ['c', 'b', 'a']) open(id);

    // Assert
    expect(failedMessageIds(await response)).toEqual(['a', 'c']);
    expect(started).toEqual(['a', 'b', 'c']);
    expect(failures.map(([id, failure]) => [id, failure.kind])).toEqual([
      ['c', 'failed'],
      ['a', 'failed'],
    ]);
    expect(failures[1]?.[1]).toMatchObject({ error: new Error('boom a') });
  });

  it('never runs more than maxConcurrency records at once, and starts the next when one finishes', async () => {
    // Arrange
    const { plan, open, started, mostRunning } = createPlan({ maxConcurrency: 2 });

    // Act
    const response = processSqsRecords(itemsOf(['a', 'b', 'c', 'd'].map((id) => createSqsRecord(id))), plan);
    await waitFor(() => started.length === 2);
    for (let round = 0; round < 10; round += 1) await turn();
    const startedWhileTwoRan = [...started];
    open('b');
    await waitFor(() => started.length === 3);
    for (const id of ['a', 'c', 'd']) open(id);

    // Assert
    expect(failedMessageIds(await response)).toEqual([]);
    expect(startedWhileTwoRan).toEqual(['a', 'b']);
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    expect(mostRunning()).toBe(2);
  });

  it('runs a FIFO message group in order, fails the rest of it unrun after a failure, and runs other groups beside it', async () => {
    // Arrange
    const { plan, open, started, failures } = createPlan({ failing: ['g1-1'] });
    const records = [fifo('g1-1', 'g1'), fifo('g2-1', 'g2'), fifo('g1-2', 'g1'), fifo('g2-2', 'g2'), fifo('g1-3', 'g1')];

    // Act
    const response = processSqsRecords(itemsOf(records), plan);
    await waitFor(() => started.length === 2);
    const startedFirst = [...started];
    open('g2-1');
    await waitFor(() => started.length === 3);
    for (const id of ['g1-1', 'g2-2']) open(id);

    // Assert
    expect(failedMessageIds(await response)).toEqual(['g1-1', 'g1-2', 'g1-3']);
    expect(startedFirst).toEqual(['g1-1', 'g2-1']);
    expect(started).toEqual(['g1-1', 'g2-1', 'g2-2']);
    expect(failures.filter(([, failure]) => failure.kind === 'skipped')).toEqual([
      ['g1-2', { kind: 'skipped', messageGroupId: 'g1' }],
      ['g1-3', { kind: 'skipped', messageGroupId: 'g1' }],
    ]);
  });

  it('runs records that share a key one after another, in batch order, beside the others', async () => {
    // Arrange
    const { plan, open, started } = createPlan({ keyOf: (id) => id.split('-')[0] });

    // Act
    const response = processSqsRecords(itemsOf(['k-1', 'other', 'k-2'].map((id) => createSqsRecord(id))), plan);
    await waitFor(() => started.length === 2);
    for (let round = 0; round < 10; round += 1) await turn();
    const beforeFirstFinished = [...started];
    open('k-1');
    await waitFor(() => started.length === 3);
    for (const id of ['other', 'k-2']) open(id);

    // Assert
    expect(failedMessageIds(await response)).toEqual([]);
    expect(beforeFirstFinished).toEqual(['k-1', 'other']);
    expect(started).toEqual(['k-1', 'other', 'k-2']);
  });

  it('names a message id once when the same message appears twice in the batch and fails', async () => {
    // Arrange
    const { plan, open, started } = createPlan({ failing: ['a'], keyOf: (id) => id });

    // Act
    const response = processSqsRecords(itemsOf([createSqsRecord('a'), createSqsRecord('a')]), plan);
    open('a');

    // Assert
    expect(await response).toEqual({ batchItemFailures: [{ itemIdentifier: 'a' }] });
    expect(started).toEqual(['a', 'a']);
  });

  it('answers an empty batch with no failures', async () => {
    // Arrange
    const { plan } = createPlan();

    // Act and Assert
    expect(await processSqsRecords([], plan)).toEqual({ batchItemFailures: [] });
  });
});
