import { randomUUID } from 'node:crypto';
import { createIdempotencyTable } from '../test/support/dynamodb.js';
import { createLambdaContext } from '../test/support/lambda-context.js';
import { createBenchClient } from './clients.js';
import { runPool } from './pool.js';
import { reportProgress } from './progress.js';
import type { BenchSettings } from './settings.js';
import { median } from './stats.js';
import { createSubject, libraries, paymentEvent, type BenchHandler, type Library } from './subjects.js';

/** One concurrency's figures: invocations per second (medians over rounds), the median ours/theirs, failed invocations. */
export type ThroughputRow = Record<Library, number> & { readonly ratio: number; readonly failed: Record<Library, number> };

/** Throughput with distinct keys, by concurrency (`c16`, `c64`). */
export type ThroughputResults = Record<string, ThroughputRow>;

/** Runs first calls with distinct keys at each concurrency, both libraries in alternating order, round by round. */
export async function measureThroughput(endpoint: string, settings: BenchSettings): Promise<ThroughputResults> {
  const context = createLambdaContext({ functionName: 'bench', remainingMs: 30_000 });
  const handlers = new Map<Library, BenchHandler>();
  for (const library of libraries) {
    const client = createBenchClient(endpoint);
    handlers.set(library, createSubject(library, { client, tableName: await createIdempotencyTable(client) }));
  }
  const rate = async (library: Library, concurrency: number) => {
    const handler = handlers.get(library) as BenchHandler;
    const run = randomUUID();
    const started = performance.now();
    failed[library] += await runPool(settings.throughputInvocations, concurrency, (index) => handler(paymentEvent(`${run}-${index}`), context));
    return settings.throughputInvocations / ((performance.now() - started) / 1_000);
  };
  const failed: Record<Library, number> = { ours: 0, powertools: 0 };
  const results: ThroughputResults = {};
  for (const concurrency of settings.concurrencies) {
    // One untimed pass each: the first burst at a new concurrency opens sockets that later rounds reuse.
    await rate('ours', concurrency);
    await rate('powertools', concurrency);
    failed.ours = 0;
    failed.powertools = 0;
    const rounds: Record<Library, number[]> = { ours: [], powertools: [] };
    for (let round = 0; round < settings.rounds; round++) {
      reportProgress(`throughput at concurrency ${concurrency}, round ${round + 1}/${settings.rounds}`);
      const order = round % 2 === 0 ? libraries : [...libraries].reverse();
      for (const library of order) rounds[library].push(await rate(library, concurrency));
    }
    const ratios = rounds.ours.map((ours, round) => ours / (rounds.powertools[round] as number));
    results[`c${concurrency}`] = { ours: median(rounds.ours), powertools: median(rounds.powertools), ratio: median(ratios), failed: { ...failed } };
  }
  return results;
}
