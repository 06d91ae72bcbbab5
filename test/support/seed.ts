import { randomInt } from 'node:crypto';

/**
 * The seed of this test file's random choices: `FAULT_SEED` when set, to replay a failed run, else a fresh one.
 * Randomised tests put {@link replayHint} in their names, and fast-check uses the seed too (see `seed-setup.ts`), so
 * every failure says how to replay it.
 */
export const testSeed: number =
  process.env.FAULT_SEED === undefined || process.env.FAULT_SEED === '' ? randomInt(1, 2 ** 31 - 1) : Number(process.env.FAULT_SEED);
if (!Number.isSafeInteger(testSeed)) throw new TypeError(`FAULT_SEED must be a whole number, got ${process.env.FAULT_SEED}`);

/** `FAULT_SEED=<seed>`: what to set to replay this file's random choices. */
export const replayHint = `FAULT_SEED=${testSeed}`;

/** A small seeded generator of numbers in [0, 1) (mulberry32): the same seed gives the same sequence. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}
