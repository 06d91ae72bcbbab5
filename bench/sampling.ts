import { timeMicros } from './stats.js';

/** One timed operation: an invocation, or a raw DynamoDB call. */
export type Cell = () => Promise<unknown>;

/** Cells compared with each other, by name; their calls are interleaved so a burst of load hits all of them. */
export type Group = ReadonlyMap<string, Cell>;

/**
 * Calls every cell of `group` `calls` times and returns each cell's timings in µs. Each pass calls every cell once in
 * a fresh random order: a fixed order would make each cell always follow the same neighbour and inherit its after-effects
 * (a DynamoDB Local write that is still settling, a GC the neighbour left behind).
 */
export async function sampleGroup(group: Group, calls: number): Promise<Map<string, number[]>> {
  const entries = [...group];
  const samples = new Map(entries.map(([name]) => [name, [] as number[]]));
  for (let call = 0; call < calls; call++) {
    for (const [name, cell] of shuffle(entries)) samples.get(name)?.push(await timeMicros(cell));
  }
  return samples;
}

// Fisher–Yates on a copy.
function shuffle<T>(items: readonly T[]): T[] {
  const shuffled = [...items];
  for (let index = shuffled.length - 1; index > 0; index--) {
    const other = Math.floor(Math.random() * (index + 1));
    [shuffled[index], shuffled[other]] = [shuffled[other] as T, shuffled[index] as T];
  }
  return shuffled;
}
