import type { Context } from 'aws-lambda';
import { createLambdaContext } from './lambda-context.js';
import { waitFor } from './wait-for.js';

/** A gate each invocation waits at, in arrival order, until the test opens it. */
export interface Gates {
  /** Call inside the handler: resolves when the test opens this invocation's gate. */
  wait(): Promise<void>;
  /** How many invocations have reached their gate. */
  arrived(): number;
  open(index: number): void;
}

/** Creates {@link Gates}. */
export function createGates(): Gates {
  const openers: Array<() => void> = [];
  return {
    wait: () => new Promise<void>((resolve) => openers.push(resolve)),
    arrived: () => openers.length,
    open: (index) => openers[index]?.(),
  };
}

/**
 * The lease of the first invocation in {@link takeOverExpiredLease}. It is long in real time, so that Middy's early
 * timeout (real time) never fires on a loaded machine; the test ends it on its injected clock instead.
 */
export const staleLeaseMs = 30_000;

/**
 * The lease takeover choreography: a first invocation with a {@link staleLeaseMs} lease stops at its gate; `advanceClockPastLease`
 * moves the injected clock beyond that lease; a second invocation takes the key over and finishes; only then is the
 * first let go. Resolves with what the first returned or threw, and what the second returned.
 */
export async function takeOverExpiredLease<T>(
  invoke: (context: Context) => Promise<T>,
  gates: Gates,
  advanceClockPastLease: () => void,
): Promise<{ stale: unknown; takeover: T }> {
  const stale = invoke(createLambdaContext({ remainingMs: staleLeaseMs })).catch((error: unknown) => error);
  await waitFor(() => gates.arrived() === 1);
  advanceClockPastLease();
  const takeover = invoke(createLambdaContext({ remainingMs: 2 * staleLeaseMs }));
  await waitFor(() => gates.arrived() === 2);
  gates.open(1);
  const takeoverResult = await takeover;
  gates.open(0);
  return { stale: await stale, takeover: takeoverResult };
}
