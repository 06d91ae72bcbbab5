import { timeMicros } from './stats.js';

/** One timed operation: an invocation, or a raw DynamoDB call. */
export type Cell = () => Promise<unknown>;

/** Cells compared with each other, by name; their calls alternate one by one so a burst of load hits all of them. */
export type Group = ReadonlyMap<string, Cell>;

/** Calls every cell of `group` `calls` times, rotating which goes first, and returns each cell's timings in µs. */
export async function sampleGroup(group: Group, calls: number): Promise<Map<string, number[]>> {
  const entries = [...group];
  const samples = new Map(entries.map(([name]) => [name, [] as number[]]));
  for (let call = 0; call < calls; call++) {
    for (let turn = 0; turn < entries.length; turn++) {
      const [name, cell] = entries[(call + turn) % entries.length] as [string, Cell];
      samples.get(name)?.push(await timeMicros(cell));
    }
  }
  return samples;
}
