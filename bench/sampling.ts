import { reportProgress } from './progress.js';
import type { BenchSettings } from './settings.js';
import { summarize, timeMicros, type Percentiles } from './stats.js';

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

/** `items` in a random order (Fisher–Yates on a copy), drawn from `random` (e.g. a seeded generator) or `Math.random`. */
export function shuffle<T>(items: readonly T[], random: () => number = Math.random): T[] {
  const shuffled = [...items];
  for (let index = shuffled.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [shuffled[index], shuffled[other]] = [shuffled[other] as T, shuffled[index] as T];
  }
  return shuffled;
}

/**
 * Warms every group once, then samples each group round by round, groups one after the other: each cell's
 * percentiles per round, by cell name (names must be unique across groups). `label` names the measurement in progress lines.
 */
export async function sampleRounds(
  groups: ReadonlyMap<string, Group>,
  settings: Pick<BenchSettings, 'warmupPassCalls' | 'rounds' | 'warmupCalls' | 'latencyCalls'>,
  label: string,
): Promise<Map<string, Percentiles[]>> {
  for (const [name, group] of groups) {
    reportProgress(`${label} warm-up: ${name}`);
    await sampleGroup(group, settings.warmupPassCalls);
  }
  const rounds = new Map<string, Percentiles[]>();
  for (let round = 0; round < settings.rounds; round++) {
    for (const [name, group] of groups) {
      reportProgress(`${label} round ${round + 1}/${settings.rounds}: ${name}`);
      await sampleGroup(group, settings.warmupCalls);
      for (const [cell, samples] of await sampleGroup(group, settings.latencyCalls)) rounds.set(cell, [...(rounds.get(cell) ?? []), summarize(samples)]);
    }
  }
  return rounds;
}
