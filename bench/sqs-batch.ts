import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { createDynamoDBStore, createSqsBatchHandler } from '../lib/idempotency/index.js';
import { createIdempotencyTable } from '../test/support/dynamodb.js';
import { createBenchClient } from './clients.js';
import { median } from './stats.js';

/** The SQS batch handlers measured: ours concurrent (the default), ours one record at a time (as before), Powertools. */
export const batchSubjects = ['ours', 'ours, one at a time', 'powertools'] as const;
export type BatchSubject = (typeof batchSubjects)[number];

/** One row: a batch size, new or redelivered, with each subject's median wall time (ms) and DynamoDB calls per batch. */
export interface BatchRow {
  readonly batchSize: number;
  readonly delivery: 'new' | 'redelivered';
  readonly wallMs: Record<BatchSubject, number>;
  readonly calls: Record<BatchSubject, number>;
}

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

const context = { functionName: 'bench-sqs', getRemainingTimeInMillis: () => 60_000, awsRequestId: 'bench' } as unknown as Context;
const handleRecord = async (record: SQSRecord) => ({ handled: record.messageId });

function createBatchSubject(subject: BatchSubject, client: DynamoDBClient, tableName: string): Handler {
  if (subject !== 'powertools') {
    const store = createDynamoDBStore({ tableName, client });
    return createSqsBatchHandler(handleRecord, { store, maxConcurrency: subject === 'ours' ? undefined : 1 });
  }
  // As Powertools' docs show idempotency inside its batch utility: makeIdempotent on the record handler.
  const processor = new BatchProcessor(EventType.SQS);
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'messageId' });
  const persistenceStore = new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client });
  const processIdempotently = makeIdempotent(handleRecord, { persistenceStore, config });
  return async (event, lambdaContext) => {
    config.registerLambdaContext(lambdaContext);
    return processPartialResponse(event, processIdempotently, processor, { context: lambdaContext });
  };
}

const sqsRecord = (messageId: string): SQSRecord => ({
  messageId,
  receiptHandle: messageId,
  body: JSON.stringify({ paymentId: messageId, cents: 4_200 }),
  attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'bench', ApproximateFirstReceiveTimestamp: '0' },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:bench',
  awsRegion: 'us-east-1',
});

/** Delays every DynamoDB call by `delayMs` on its way out, as a network round trip would. */
function addNetworkDelay(client: DynamoDBClient, delayMs: number): void {
  if (delayMs > 0)
    client.middlewareStack.add((next) => async (args) => sleep(delayMs).then(() => next(args)), { step: 'finalizeRequest', name: 'benchNetworkDelay' });
}

function countCalls(client: DynamoDBClient): { read: () => number } {
  let calls = 0;
  client.middlewareStack.add(
    (next) => async (args) => {
      calls += 1;
      return next(args);
    },
    { step: 'initialize', name: 'benchBatchCalls' },
  );
  return { read: () => calls };
}

/**
 * Times SQS batches of each size through each subject, new and then redelivered, over DynamoDB Local; every round
 * uses fresh message ids, and the subjects take turns in a random order.
 */
export async function measureSqsBatches(
  endpoint: string,
  options: { batchSizes: readonly number[]; rounds: number; networkDelayMs: number },
): Promise<BatchRow[]> {
  const subjects = await Promise.all(
    batchSubjects.map(async (subject) => {
      const client = createBenchClient(endpoint);
      addNetworkDelay(client, options.networkDelayMs);
      const counter = countCalls(client);
      const handler = createBatchSubject(subject, client, await createIdempotencyTable(client));
      return { subject, client, counter, handler };
    }),
  );
  const rows: BatchRow[] = [];
  for (const batchSize of options.batchSizes) {
    const samples = { new: new Map<BatchSubject, number[]>(), redelivered: new Map<BatchSubject, number[]>() };
    const calls = { new: new Map<BatchSubject, number>(), redelivered: new Map<BatchSubject, number>() };
    for (let round = 0; round < options.rounds; round += 1) {
      for (const { subject, counter, handler } of [...subjects].sort(() => Math.random() - 0.5)) {
        const event = { Records: Array.from({ length: batchSize }, () => sqsRecord(randomUUID())) };
        for (const delivery of ['new', 'redelivered'] as const) {
          const before = counter.read();
          const started = performance.now();
          const response = await handler(event, context);
          const wallMs = performance.now() - started;
          if (response.batchItemFailures.length > 0) throw new Error(`${subject} failed ${response.batchItemFailures.length} records of a ${delivery} batch`);
          samples[delivery].set(subject, [...(samples[delivery].get(subject) ?? []), wallMs]);
          calls[delivery].set(subject, counter.read() - before);
        }
      }
    }
    for (const delivery of ['new', 'redelivered'] as const) {
      const per = <T>(read: (subject: BatchSubject) => T) =>
        Object.fromEntries(batchSubjects.map((subject) => [subject, read(subject)])) as Record<BatchSubject, T>;
      rows.push({
        batchSize,
        delivery,
        wallMs: per((subject) => median(samples[delivery].get(subject) ?? [])),
        calls: per((subject) => calls[delivery].get(subject) ?? Number.NaN),
      });
    }
  }
  for (const { client } of subjects) client.destroy();
  return rows;
}
