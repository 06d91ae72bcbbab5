import { randomUUID } from 'node:crypto';
import { PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { createDynamoDBStore, idempotency, step, type DynamoDBStore } from '../lib/idempotency/index.js';
import { createIdempotencyTable } from '../test/support/dynamodb.js';
import { createLambdaContext } from '../test/support/lambda-context.js';
import { createBenchClient } from './clients.js';
import { reportProgress } from './progress.js';
import { sampleGroup } from './sampling.js';
import type { BenchSettings } from './settings.js';
import { median, medianOfRounds, summarize, type Percentiles } from './stats.js';

/** One completed `step` beside its floor: the same fenced `UpdateItem`, sent raw. */
export interface StepCostResults {
  readonly step: Percentiles;
  readonly rawFencedWrite: Percentiles;
  /** The median over rounds of step p50 ÷ floor p50. */
  readonly ratio: number;
}

/** A claim held open by a Middy invocation that waits, so steps can run through its context from outside. */
interface HeldInvocation {
  readonly context: Context;
  finish(): Promise<void>;
}

async function holdClaim(store: DynamoDBStore): Promise<HeldInvocation> {
  const context = createLambdaContext({ functionName: 'bench-steps', remainingMs: 600_000 });
  let started!: () => void;
  let done!: () => void;
  const ready = new Promise<void>((resolve) => (started = resolve));
  const release = new Promise<void>((resolve) => (done = resolve));
  const handler = middy(async () => {
    started();
    await release;
    return 'done';
  }).use(idempotency({ store, key: () => randomUUID() }));
  const running = handler({}, context);
  await ready;
  return {
    context,
    finish: async () => {
      done();
      await running;
    },
  };
}

/** A record as a claim leaves it after one step: IN_PROGRESS under `leaseToken`, with a steps map. */
async function putStepRecord(client: DynamoDBClient, tableName: string, id: string, leaseToken: string): Promise<void> {
  const item = { id: { S: id }, status: { S: 'IN_PROGRESS' }, lease_token: { S: leaseToken }, steps: { M: { first: { S: '0' } } } };
  await client.send(new PutItemCommand({ TableName: tableName, Item: item }));
}

/** The write a step makes, sent raw: one more entry in the steps map, fenced on status and lease token. */
function rawFencedWrite(client: DynamoDBClient, tableName: string, id: string, leaseToken: string, name: string): Promise<unknown> {
  return client.send(
    new UpdateItemCommand({
      TableName: tableName,
      Key: { id: { S: id } },
      UpdateExpression: 'SET #steps.#name = :value',
      ConditionExpression: '#status = :inProgress AND #leaseToken = :leaseToken',
      ExpressionAttributeNames: { '#steps': 'steps', '#name': name, '#status': 'status', '#leaseToken': 'lease_token' },
      ExpressionAttributeValues: { ':value': { S: '1' }, ':inProgress': { S: 'IN_PROGRESS' }, ':leaseToken': { S: leaseToken } },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    }),
  );
}

/**
 * Times one completed `step` (its function returns at once, so what is timed is the step's own work and its fenced
 * write) beside the same write sent raw, interleaved call by call. Each round holds a fresh claim, so its record grows
 * by one round's steps only, as the raw record beside it does.
 */
export async function measureStepCost(endpoint: string, settings: BenchSettings): Promise<StepCostResults> {
  const client = createBenchClient(endpoint);
  const tableName = await createIdempotencyTable(client);
  const store = createDynamoDBStore({ tableName, client });
  let counter = 0;
  const runRound = async (calls: number) => {
    const held = await holdClaim(store);
    await step(held.context, 'first', () => 0);
    const [rawId, rawToken] = [randomUUID(), randomUUID()];
    await putStepRecord(client, tableName, rawId, rawToken);
    const cells = new Map([
      ['step', () => step(held.context, `s${++counter}`, () => counter)],
      ['raw', () => rawFencedWrite(client, tableName, rawId, rawToken, `s${++counter}`)],
    ]);
    const samples = await sampleGroup(cells, calls);
    await held.finish();
    return { step: summarize(samples.get('step') ?? []), raw: summarize(samples.get('raw') ?? []) };
  };
  reportProgress('step cost: warm-up');
  await runRound(settings.warmupPassCalls);
  const rounds = [];
  for (let round = 0; round < settings.rounds; round++) {
    reportProgress(`step cost round ${round + 1}/${settings.rounds}`);
    rounds.push(await runRound(settings.latencyCalls));
  }
  client.destroy();
  return {
    step: medianOfRounds(rounds.map((round) => round.step)),
    rawFencedWrite: medianOfRounds(rounds.map((round) => round.raw)),
    ratio: median(rounds.map((round) => round.step.p50 / round.raw.p50)),
  };
}
