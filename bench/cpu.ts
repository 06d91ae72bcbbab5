import { randomUUID } from 'node:crypto';
import { createLambdaContext } from '../test/support/lambda-context.js';
import { createInMemoryClient, inMemoryClientLabel } from './in-memory-client.js';
import { reportProgress } from './progress.js';
import { sampleGroup, type Cell } from './sampling.js';
import type { BenchSettings } from './settings.js';
import { median } from './stats.js';
import { createBareHandler, createSubject, libraries, paymentEvent, type Library } from './subjects.js';

export const cpuPaths = ['first-call', 'duplicate'] as const;
export type CpuPath = (typeof cpuPaths)[number];

/** Median µs per call with the in-memory fake: each library's own CPU cost, with the bare handler's subtracted. */
export interface CpuResults {
  readonly client: typeof inMemoryClientLabel;
  readonly bareHandler: number;
  readonly paths: Record<CpuPath, Record<Library, number> & { readonly ratio: number }>;
}

/** Times both paths of both libraries over the in-memory fake, interleaved call by call, median over rounds. */
export async function measureCpu(settings: BenchSettings): Promise<CpuResults> {
  const context = createLambdaContext({ functionName: 'bench', remainingMs: 30_000 });
  const run = randomUUID();
  let counter = 0;
  const bare = createBareHandler();
  const group = new Map<string, Cell>([['bare', () => bare(paymentEvent(`${run}-${counter++}`), context)]]);
  for (const library of libraries) {
    const handler = createSubject(library, { client: createInMemoryClient(), tableName: 'bench-cpu' });
    const completed = paymentEvent(`${run}-completed`);
    await handler(completed, context);
    group.set(`first-call/${library}`, () => handler(paymentEvent(`${run}-${counter++}`), context));
    group.set(`duplicate/${library}`, () => handler(completed, context));
  }
  reportProgress('cpu warm-up');
  await sampleGroup(group, settings.warmupPassCalls * 5);
  const rounds = new Map<string, number[]>();
  for (let round = 0; round < settings.rounds; round++) {
    reportProgress(`cpu round ${round + 1}/${settings.rounds} (${inMemoryClientLabel})`);
    for (const [name, samples] of await sampleGroup(group, settings.cpuCalls)) rounds.set(name, [...(rounds.get(name) ?? []), median(samples)]);
  }
  const bareRounds = rounds.get('bare') as number[];
  // The middleware's own cost: what a call costs beyond the same handler under Middy alone, in the same round.
  const own = (name: string) => (rounds.get(name) as number[]).map((micros, round) => micros - (bareRounds[round] as number));
  const pathResult = (path: CpuPath) => {
    const ours = own(`${path}/ours`);
    const powertools = own(`${path}/powertools`);
    return { ours: median(ours), powertools: median(powertools), ratio: median(ours.map((value, round) => value / (powertools[round] as number))) };
  };
  return {
    client: inMemoryClientLabel,
    bareHandler: median(bareRounds),
    paths: { 'first-call': pathResult('first-call'), duplicate: pathResult('duplicate') },
  };
}
