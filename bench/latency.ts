import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createIdempotencyTable } from '../test/support/dynamodb.js';
import { createLambdaContext } from '../test/support/lambda-context.js';
import { createBenchClient } from './clients.js';
import { sampleRounds, type Cell, type Group } from './sampling.js';
import type { BenchSettings } from './settings.js';
import { medianOfRounds, type Percentiles } from './stats.js';
import { createBareHandler, createSubject, libraries, paymentEvent, type BenchHandler, type Library } from './subjects.js';

/** The paths timed for both libraries, and the references timed once. */
export const latencyPaths = ['first-call', 'duplicate', 'cached-duplicate'] as const;
export const latencyReferences = ['bare-handler', 'raw-put', 'raw-put-rejected', 'raw-put-update'] as const;
export type LatencyPath = (typeof latencyPaths)[number];
export type LatencyReference = (typeof latencyReferences)[number];

/** Sequential latency per path, in microseconds: medians over rounds, and the median over rounds of ours/theirs. */
export interface LatencyResults {
  readonly paths: Record<LatencyPath, Record<Library, Percentiles> & { readonly ratio: Percentiles }>;
  readonly references: Record<LatencyReference, Percentiles>;
}

/**
 * Times every path of both libraries beside its floor on one DynamoDB Local. Each path is its own group whose cells take
 * turns call by call, so ours, Powertools and the floor meet the same moments of load and their ratios stay comparable;
 * groups run one after the other so that one path's DynamoDB writes never land inside another path's timings.
 */
export async function measureLatency(endpoint: string, settings: BenchSettings): Promise<LatencyResults> {
  const rounds = await sampleRounds(await prepareGroups(endpoint), settings, 'latency');
  const of = (name: string) => rounds.get(name) as Percentiles[];
  const pathResult = (path: LatencyPath) => ({
    ours: medianOfRounds(of(`${path}/ours`)),
    powertools: medianOfRounds(of(`${path}/powertools`)),
    ratio: medianOfRounds(of(`${path}/ours`).map((ours, round) => divide(ours, of(`${path}/powertools`)[round] as Percentiles))),
  });
  return {
    paths: Object.fromEntries(latencyPaths.map((path) => [path, pathResult(path)])) as LatencyResults['paths'],
    references: Object.fromEntries(latencyReferences.map((name) => [name, medianOfRounds(of(name))])) as LatencyResults['references'],
  };
}

function divide(a: Percentiles, b: Percentiles): Percentiles {
  return { p50: a.p50 / b.p50, p90: a.p90 / b.p90, p99: a.p99 / b.p99 };
}

/** One group per path: both libraries and the floor the path is compared with. */
async function prepareGroups(endpoint: string): Promise<Map<string, Group>> {
  const context = createLambdaContext({ functionName: 'bench', remainingMs: 30_000 });
  const run = randomUUID();
  let counter = 0;
  const freshKey = () => `${run}-${counter++}`;
  const groups = new Map<LatencyPath, Map<string, Cell>>(latencyPaths.map((path) => [path, new Map()]));
  const add = (path: LatencyPath, name: string, cell: Cell) => groups.get(path)?.set(name, cell);
  for (const library of libraries) {
    const client = createBenchClient(endpoint);
    const tableName = await createIdempotencyTable(client);
    const plain = createSubject(library, { client, tableName });
    const cached = createSubject(library, { client, tableName, localCache: true });
    add('first-call', `first-call/${library}`, () => plain(paymentEvent(freshKey()), context));
    add('duplicate', `duplicate/${library}`, await duplicateOf(plain, freshKey(), context));
    add('cached-duplicate', `cached-duplicate/${library}`, await duplicateOf(cached, freshKey(), context));
  }
  const floorClient = createBenchClient(endpoint);
  const floorTable = await createIdempotencyTable(floorClient);
  const bare = createBareHandler();
  const takenKey = freshKey();
  await rawPut(floorClient, floorTable, takenKey);
  add('cached-duplicate', 'bare-handler', () => bare(paymentEvent(freshKey()), context));
  add('duplicate', 'raw-put', () => rawPut(floorClient, floorTable, freshKey()));
  // A duplicate's true floor: the same conditional PutItem on a key that exists, rejected with the old item.
  add('duplicate', 'raw-put-rejected', () => rawPut(floorClient, floorTable, takenKey).catch((error: unknown) => assertRejected(error)));
  add('first-call', 'raw-put-update', async () => {
    const key = freshKey();
    await rawPut(floorClient, floorTable, key);
    await rawComplete(floorClient, floorTable, key);
  });
  return groups;
}

/** Completes `key` once, then returns a cell that sends its duplicate. */
async function duplicateOf(handler: BenchHandler, key: string, context: ReturnType<typeof createLambdaContext>): Promise<Cell> {
  await handler(paymentEvent(key), context);
  return () => handler(paymentEvent(key), context);
}

/** The floor of a claim: one conditional PutItem of a record of the same size, returning the old item if it fails. */
async function rawPut(client: DynamoDBClient, tableName: string, key: string): Promise<void> {
  await client.send(
    new PutItemCommand({
      TableName: tableName,
      Item: { id: { S: key }, status: { S: 'IN_PROGRESS' }, expiration: { N: '4102444800' }, in_progress_expiration: { N: String(Date.now() + 30_000) } },
      ConditionExpression: 'attribute_not_exists(#id)',
      ExpressionAttributeNames: { '#id': 'id' },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    }),
  );
}

function assertRejected(error: unknown): void {
  if (!(error instanceof ConditionalCheckFailedException)) throw error;
}

/** The floor of a completion: one conditional UpdateItem that stores a small result. */
async function rawComplete(client: DynamoDBClient, tableName: string, key: string): Promise<void> {
  await client.send(
    new UpdateItemCommand({
      TableName: tableName,
      Key: { id: { S: key } },
      UpdateExpression: 'SET #status = :completed, #data = :data',
      ConditionExpression: '#status = :inProgress',
      ExpressionAttributeNames: { '#status': 'status', '#data': 'data' },
      ExpressionAttributeValues: { ':completed': { S: 'COMPLETED' }, ':inProgress': { S: 'IN_PROGRESS' }, ':data': { S: '{"statusCode":201,"body":"{}"}' } },
    }),
  );
}
