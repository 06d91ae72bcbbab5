import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { createDynamoDBStore, createSqsBatchHandler } from '../lib/idempotency/index.js';
import { recordCalls, type CallRecorder } from '../test/support/call-counter.js';
import { createIdempotencyTable } from '../test/support/dynamodb.js';
import { createLambdaContext } from '../test/support/lambda-context.js';
import { createSqsEvent, createSqsRecord, redeliverSqsRecord } from '../test/support/sqs-events.js';
import { createBenchClient } from './clients.js';
import { countCommands } from './format.js';
import { reportProgress } from './progress.js';
import { shuffle } from './sampling.js';

/** The SQS batch handlers measured: ours concurrent (the default), ours one record at a time (as before), Powertools. */
export const batchSubjects = ['ours', 'ours, one at a time', 'powertools'] as const;
export type BatchSubject = (typeof batchSubjects)[number];

/** A batch's first delivery, or SQS delivering the same messages again (`ApproximateReceiveCount` one higher). */
export const deliveries = ['new', 'redelivered'] as const;
export type Delivery = (typeof deliveries)[number];

/** One row: a batch size and delivery, with each subject's wall time per counted round and DynamoDB commands per batch. */
export interface BatchRow {
  readonly batchSize: number;
  readonly delivery: Delivery;
  /**
   * Milliseconds per batch by counted round: index i is the same round, the same batch, for every subject; `undefined`
   * where the subject sat the round out (see {@link BatchPlan.oneAtATimeEvery}).
   */
  readonly wallMs: Record<BatchSubject, readonly (number | undefined)[]>;
  /** The commands of one batch, e.g. `100 PutItem + 100 UpdateItem`; distinct ones joined by ` or ` if rounds differ. */
  readonly commands: Record<BatchSubject, string>;
}

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

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

/** Delays every DynamoDB call by `delayMs` on its way out, as a network round trip would. */
function addNetworkDelay(client: DynamoDBClient, delayMs: number): void {
  if (delayMs > 0)
    client.middlewareStack.add((next) => async (args) => sleep(delayMs).then(() => next(args)), { step: 'finalizeRequest', name: 'benchNetworkDelay' });
}

/** A batch of `size` new messages, and the same messages as SQS delivers them again. */
function createBatch(size: number): Record<Delivery, SQSEvent> {
  const records = Array.from({ length: size }, () => {
    const messageId = randomUUID();
    return createSqsRecord(messageId, { body: JSON.stringify({ paymentId: messageId, cents: 4_200 }) });
  });
  return { new: createSqsEvent(records), redelivered: createSqsEvent(records.map(redeliverSqsRecord)) };
}

/** A batch size and its rounds: small batches are cheap, so they get more rounds for the same precision. */
export interface BatchPlan {
  readonly size: number;
  readonly rounds: number;
  /**
   * `ours, one at a time` takes part in every n-th round only (1: every round): it costs most of a round's time (ten
   * times ours with network delay), and its ratio to ours, far from 1, needs fewer rounds to be clear.
   */
  readonly oneAtATimeEvery: number;
}

/** Options of {@link measureSqsBatches}. */
export interface SqsBatchOptions {
  /** Batch sizes, each with its counted rounds. */
  readonly batches: readonly BatchPlan[];
  /**
   * Rounds of the largest batch before the counted ones, not counted: DynamoDB Local's JVM and Node's JIT take about a
   * hundred records per subject to settle (batches of 10 run 2-4 times slower in their first ten rounds), and each
   * new client opens its sockets.
   */
  readonly warmupRounds: number;
  /** Added before every DynamoDB call, in ms. */
  readonly networkDelayMs: number;
  /** Draws the subjects' order in each round: a seeded generator makes the order replayable. */
  readonly random: () => number;
}

type Subject = { subject: BatchSubject; client: DynamoDBClient; recorder: CallRecorder; handler: Handler };

/** One batch through one subject: its wall time in ms and its DynamoDB commands; a record that fails ends the bench. */
async function timeBatch({ subject, recorder, handler }: Subject, event: SQSEvent, context: Context): Promise<{ wallMs: number; commands: string }> {
  const { commands, outcome } = await recorder.during(async () => {
    const started = performance.now();
    const response = await handler(event, context);
    return { response, wallMs: performance.now() - started };
  });
  if (outcome.status === 'rejected') throw outcome.reason;
  const failed = outcome.value.response.batchItemFailures.length;
  if (failed > 0) throw new Error(`${subject} failed ${failed} of ${event.Records.length} records`);
  return { wallMs: outcome.value.wallMs, commands: countCommands(commands) };
}

/** Rows of one batch size over `rounds` rounds, subjects shuffled in each; `stage` names the rounds in progress lines. */
async function measureBatchSize(
  subjects: readonly Subject[],
  { size: batchSize, rounds, oneAtATimeEvery, stage }: BatchPlan & { stage: 'warm-up' | 'round' },
  options: SqsBatchOptions,
): Promise<BatchRow[]> {
  const cells = deliveries.map((delivery) => ({
    delivery,
    per: perSubject(() => ({ wallMs: Array.from({ length: rounds }, (): number | undefined => undefined), commands: new Set<string>() })),
  }));
  for (let round = 0; round < rounds; round += 1) {
    reportProgress(`SQS, ${options.networkDelayMs} ms added, batch of ${batchSize}: ${stage} ${round + 1}/${rounds}`);
    const batch = createBatch(batchSize);
    const taking = subjects.filter(({ subject }) => subject !== 'ours, one at a time' || round % oneAtATimeEvery === 0);
    // One delivery at a time, every subject in a fresh random order: a subject's new batch never pays for the work
    // another subject's redelivery left behind (garbage, DynamoDB Local's refused writes), since a subject's time
    // would then depend on who ran before it.
    for (const { delivery, per } of cells) {
      for (const subject of shuffle(taking, options.random)) {
        // A copy per subject: the same event, and nothing one library might change in it reaches the next.
        const event = structuredClone(batch[delivery]);
        const { wallMs, commands } = await timeBatch(subject, event, createLambdaContext({ functionName: 'bench-sqs', remainingMs: 60_000 }));
        per[subject.subject].wallMs[round] = wallMs;
        per[subject.subject].commands.add(commands);
      }
    }
  }
  return cells.map(({ delivery, per }) => ({
    batchSize,
    delivery,
    wallMs: perSubject((subject) => per[subject].wallMs),
    commands: perSubject((subject) => [...per[subject].commands].join(' or ')),
  }));
}

/**
 * Times SQS batches of each size through each subject over DynamoDB Local, each subject on its own client and table.
 * After the warm-up rounds, every round builds one fresh batch; every subject, in a random order, gets that batch new,
 * then every subject, in another random order, gets it redelivered, so the subjects' times of one round are paired
 * under the same machine load.
 */
export async function measureSqsBatches(endpoint: string, options: SqsBatchOptions): Promise<BatchRow[]> {
  const subjects: Subject[] = await Promise.all(
    batchSubjects.map(async (subject) => {
      const client = createBenchClient(endpoint);
      addNetworkDelay(client, options.networkDelayMs);
      return { subject, client, recorder: recordCalls(client), handler: createBatchSubject(subject, client, await createIdempotencyTable(client)) };
    }),
  );
  const rows: BatchRow[] = [];
  const largest = Math.max(...options.batches.map((plan) => plan.size));
  await measureBatchSize(subjects, { size: largest, rounds: options.warmupRounds, oneAtATimeEvery: 1, stage: 'warm-up' }, options);
  for (const plan of options.batches) rows.push(...(await measureBatchSize(subjects, { ...plan, stage: 'round' }, options)));
  for (const { client } of subjects) client.destroy();
  return rows;
}

/** A record with one value per subject. */
export function perSubject<T>(value: (subject: BatchSubject) => T): Record<BatchSubject, T> {
  return Object.fromEntries(batchSubjects.map((subject) => [subject, value(subject)])) as Record<BatchSubject, T>;
}
