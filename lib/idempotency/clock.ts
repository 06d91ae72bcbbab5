/** A source of the current time in epoch milliseconds. Tests inject their own; production uses {@link systemClock}. */
export type Clock = () => number;

/** The only place the library reads the wall clock. */
export const systemClock: Clock = () => Date.now();

/** Converts epoch milliseconds to whole epoch seconds, rounding up so an expiry is never earlier than asked. */
export function toEpochSeconds(epochMs: number): number {
  return Math.ceil(epochMs / 1000);
}
