import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { IdempotencyAlreadyInProgressError, IdempotencyConfig, makeIdempotent as powertoolsMakeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import { createDynamoDBStore, idempotency, IdempotencyInProgressError } from '../lib/idempotency/index.js';
import { firstPollDelayMs, maxPollDelayMs } from '../lib/idempotency/in-progress-wait.js';
import { createIdempotencyTable } from '../test/support/dynamodb.js';
import { createLambdaContext } from '../test/support/lambda-context.js';
import { recordCalls, type CommandLog } from '../test/support/call-counter.js';
import { createBenchClient } from './clients.js';
import { reportProgress } from './progress.js';
import type { BenchSettings } from './settings.js';
import { median, percentile } from './stats.js';
import { answerAtOnce, paymentEvent, type BenchEvent, type BenchHandler } from './subjects.js';

/** The scenario: a duplicate that arrives this long into a handler that runs this long. */
export const inProgressScenario = { handlerMs: 200, duplicateAfterMs: 50, oursWaitForInProgressMs: 5_000 } as const;

/** Ours waits; Powertools (its Middy middleware, and its `makeIdempotent`) throws, and the client retries. */
export const waitSubjects = ['ours', 'powertools-middleware', 'powertools-function'] as const;
export type WaitSubject = (typeof waitSubjects)[number];

/** What the duplicates of one subject cost and got, over every sample. */
export interface InProgressWaitRow {
  readonly samples: number;
  /** From the duplicate's arrival to its final answer, client retries included, in ms. */
  readonly answerMs: { readonly p50: number; readonly p90: number; readonly max: number };
  /** From the duplicate's arrival to the first call's answer, in ms (median). */
  readonly firstRemainingMs: number;
  /** The bound per sample, 1.1 × (first call's remaining time + the poll interval in effect then), in ms (median). */
  readonly targetMs: number;
  readonly samplesWithinTarget: number;
  /** How the duplicates ended: `replay` (the first call's result, handler not run again), `ran the handler again`, or an error's name. */
  readonly answers: Readonly<Record<string, number>>;
  /** Invocations the duplicate's client made, retries included (median). */
  readonly attempts: number;
  /** DynamoDB commands the duplicate cost, retries included: the median sample's, and the most any sample made. */
  readonly commands: CommandLog;
  readonly maxStoreCalls: number;
  /** Strongly consistent reads against the polls the backoff allows within the duplicate's own wait; ours only. */
  readonly samplesWithOneReadPerPoll: number;
}

export type InProgressWaitResults = Record<WaitSubject, InProgressWaitRow>;

interface Sample {
  readonly answerMs: number;
  readonly firstRemainingMs: number;
  readonly answer: string;
  readonly attempts: number;
  readonly commands: CommandLog;
}

/**
 * Sends, per sample, a first call whose handler runs {@link inProgressScenario.handlerMs} ms and, that many ms into it, an
 * identical duplicate from another sandbox (its own client). Ours waits (`waitForInProgressMs`); for Powertools, which
 * throws `IdempotencyAlreadyInProgressError`, the client retries with the same backoff our wait polls with (25 ms
 * doubling to 250 ms), so both check the key at the same moments and differ only in what a check costs.
 */
export async function measureInProgressWait(endpoint: string, settings: BenchSettings): Promise<InProgressWaitResults> {
  const results: Partial<InProgressWaitResults> = {};
  for (const subject of waitSubjects) {
    const samples: Sample[] = [];
    const run = await prepareSubject(subject, endpoint);
    for (let index = 0; index < settings.inProgressWaitSamples; index++) {
      reportProgress(`in-progress duplicate ${subject}: ${index + 1}/${settings.inProgressWaitSamples}`);
      samples.push(await run());
    }
    results[subject] = summarizeSamples(samples, subject === 'ours');
  }
  return results as InProgressWaitResults;
}

/** Two sandboxes of one subject over one table: the first call's handler, and the duplicate's with a call recorder. */
async function prepareSubject(subject: WaitSubject, endpoint: string): Promise<() => Promise<Sample>> {
  const firstClient = createBenchClient(endpoint);
  const duplicateClient = createBenchClient(endpoint);
  const tableName = await createIdempotencyTable(firstClient);
  const recorder = recordCalls(duplicateClient);
  const executions = new Map<string, number>();
  let entered: () => void = () => undefined;
  const body = async (event: BenchEvent) => {
    executions.set(event.key, (executions.get(event.key) ?? 0) + 1);
    entered();
    await sleep(inProgressScenario.handlerMs);
    return answerAtOnce(event);
  };
  const first = buildHandler(subject, firstClient, tableName, body);
  const duplicate = buildHandler(subject, duplicateClient, tableName, body);
  const context = createLambdaContext({ functionName: 'bench-wait', remainingMs: 30_000 });
  return async () => {
    const event = paymentEvent(randomUUID());
    const started = new Promise<void>((resolve) => (entered = resolve));
    let firstAnsweredAt = Number.NaN;
    const firstCall = first(event, context).then((response) => {
      firstAnsweredAt = performance.now();
      return response;
    });
    await started;
    await sleep(inProgressScenario.duplicateAfterMs);
    const arrivedAt = performance.now();
    const { commands, outcome } = await recorder.during(() => withClientRetries(() => duplicate(event, context)));
    const answerMs = performance.now() - arrivedAt;
    const firstResponse = await firstCall;
    const answer =
      outcome.status === 'rejected'
        ? ((outcome.reason as Error).name ?? 'Error')
        : (executions.get(event.key) ?? 0) > 1
          ? 'ran the handler again'
          : outcome.value.response.body === firstResponse.body
            ? 'replay'
            : 'another answer';
    return { answerMs, firstRemainingMs: firstAnsweredAt - arrivedAt, answer, attempts: outcome.status === 'fulfilled' ? outcome.value.attempts : 0, commands };
  };
}

function buildHandler(
  subject: WaitSubject,
  client: ReturnType<typeof createBenchClient>,
  tableName: string,
  body: (event: BenchEvent) => ReturnType<BenchHandler>,
): BenchHandler {
  if (subject === 'ours') {
    const store = createDynamoDBStore({ tableName, client });
    return middy(body).use(idempotency({ store, key: (event: BenchEvent) => event.key, waitForInProgressMs: inProgressScenario.oursWaitForInProgressMs }));
  }
  const persistenceStore = new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client });
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'key' });
  if (subject === 'powertools-middleware') return middy(body).use(makeHandlerIdempotent({ persistenceStore, config }));
  return powertoolsMakeIdempotent(async (event: BenchEvent, _context: Context) => body(event), { persistenceStore, config });
}

// A client that retries an in-progress refusal (a 409 over HTTP) on the schedule our wait polls on, for 5 s at most.
async function withClientRetries<T>(call: () => Promise<T>): Promise<{ response: T; attempts: number }> {
  let delayMs: number = firstPollDelayMs;
  let waitedMs = 0;
  for (let attempts = 1; ; attempts++) {
    try {
      return { response: await call(), attempts };
    } catch (error) {
      const inProgress = error instanceof IdempotencyInProgressError || error instanceof IdempotencyAlreadyInProgressError;
      if (!inProgress || waitedMs >= inProgressScenario.oursWaitForInProgressMs) throw error;
      await sleep(delayMs);
      waitedMs += delayMs;
      delayMs = Math.min(delayMs * 2, maxPollDelayMs);
    }
  }
}

/** The backoff pause (25, 50, 100, 200, then 250 ms) during which `elapsedMs` falls, and the polls made by then. */
function pollAt(elapsedMs: number): { intervalMs: number; polls: number } {
  let pauseMs: number = firstPollDelayMs;
  let endMs = pauseMs;
  let polls = 1;
  while (endMs < elapsedMs) {
    pauseMs = Math.min(pauseMs * 2, maxPollDelayMs);
    endMs += pauseMs;
    polls += 1;
  }
  return { intervalMs: pauseMs, polls };
}

function summarizeSamples(samples: readonly Sample[], countsReads: boolean): InProgressWaitRow {
  const answerMs = samples.map((sample) => sample.answerMs);
  const targets = samples.map((sample) => 1.1 * (sample.firstRemainingMs + pollAt(sample.firstRemainingMs).intervalMs));
  const answers: Record<string, number> = {};
  for (const sample of samples) answers[sample.answer] = (answers[sample.answer] ?? 0) + 1;
  const byCalls = [...samples].sort((a, b) => a.commands.length - b.commands.length);
  // Every poll is one read at most: the reads a sample made against the polls its answer time allows.
  const oneReadPerPoll = samples.filter((sample) => sample.commands.filter((command) => command === 'GetItem').length <= pollAt(sample.answerMs).polls);
  return {
    samples: samples.length,
    answerMs: { p50: median(answerMs), p90: percentile(answerMs, 90), max: Math.max(...answerMs) },
    firstRemainingMs: median(samples.map((sample) => sample.firstRemainingMs)),
    targetMs: median(targets),
    samplesWithinTarget: samples.filter((sample, index) => sample.answerMs <= (targets[index] as number)).length,
    answers,
    attempts: median(samples.map((sample) => sample.attempts)),
    commands: byCalls[Math.floor(byCalls.length / 2)]?.commands ?? [],
    maxStoreCalls: Math.max(...samples.map((sample) => sample.commands.length)),
    samplesWithOneReadPerPoll: countsReads ? oneReadPerPoll.length : 0,
  };
}
