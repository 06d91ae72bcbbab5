import { faultKinds, stepCommands, type FaultPlacement, type LifecycleStep } from './fault-injector.js';

/** One fault: which step fails, how, whether the write reached DynamoDB before the answer was lost, and where it meets the SDK. */
export interface FaultCase {
  readonly step: LifecycleStep;
  readonly kind: keyof typeof faultKinds;
  readonly loses: 'request-lost' | 'response-lost';
  readonly at: FaultPlacement;
}

/**
 * Every fault kind at `step`: past the SDK's retries with the request lost and with the response lost, and inside
 * them with the response lost (the SDK resends a write DynamoDB applied).
 */
export function faultCasesAt(step: LifecycleStep): FaultCase[] {
  const placements = [
    { loses: 'request-lost', at: 'before-retries' },
    { loses: 'response-lost', at: 'before-retries' },
    { loses: 'response-lost', at: 'inside-retries' },
  ] as const;
  return (Object.keys(faultKinds) as Array<keyof typeof faultKinds>).flatMap((kind) => placements.map((placement) => ({ step, kind, ...placement })));
}

/** Every lifecycle step, for `it.each`. */
export const lifecycleSteps = Object.keys(stepCommands) as LifecycleStep[];

/** What a caller got, whatever the adapter: an answer with the handler's result, or a refusal. */
export type CallerOutcome =
  | { readonly kind: 'answer'; readonly result: unknown }
  | { readonly kind: 'in-progress' }
  /** A typed refusal: an `IdempotencyError`, or a problem+json 4xx/503 with `Retry-After` where it needs one. */
  | { readonly kind: 'refused'; readonly detail: string }
  /** The handler's own planned failure, passed through unchanged. */
  | { readonly kind: 'handler-failed' }
  /** Anything else: an untyped error or a bare 500. Always a violation. */
  | { readonly kind: 'untyped'; readonly detail: string };

/** Calls the idempotent handler once for the key; never throws. */
export type Invoke = () => Promise<CallerOutcome>;

/** What the checks need to know about the world after each call. */
export interface FaultProbe {
  /** How many times the handler started for this key. */
  executions(): number;
  /** How many orders the key's executions committed (transaction step only). */
  orders(): Promise<number>;
}

const describeOutcome = (outcome: CallerOutcome) => JSON.stringify(outcome);

/**
 * Drives one fault case and returns every broken invariant: the first call meets the fault, a duplicate follows
 * while the lease holds, then `endLease` moves the adapter's clock past the lease and one retry must be answered, then
 * one more duplicate must replay it. The adapter's clock stands still otherwise, so no step races real time.
 */
export async function checkFaultCase(fault: FaultCase, invoke: Invoke, probe: FaultProbe, endLease: () => void): Promise<string[]> {
  const problems: string[] = [];
  const first = await invoke();
  const runsAfterFirst = probe.executions();
  if (first.kind === 'untyped') problems.push(`first call got an untyped failure: ${first.detail}`);
  if (first.kind === 'handler-failed' && fault.step !== 'release') problems.push('first call failed in the handler, which only fails in release cases');
  if (fault.step === 'claim' && runsAfterFirst > 0 && first.kind !== 'answer') problems.push('the handler ran although the claim failed');
  // A fault the SDK retried away must not reach the caller: the retry meets its own write and goes on.
  const expected = fault.step === 'release' ? 'handler-failed' : 'answer';
  if (fault.at === 'inside-retries' && first.kind !== expected) problems.push(`a fault inside the SDK retries reached the caller: ${describeOutcome(first)}`);

  const duplicate = await invoke();
  if (first.kind === 'answer') {
    // A result the caller holds is either stored (replayed) or its key blocked until the lease ends.
    const replayed = duplicate.kind === 'answer' && JSON.stringify(duplicate.result) === JSON.stringify(first.result);
    if (!replayed && duplicate.kind !== 'in-progress') problems.push(`a returned result was neither replayed nor blocked: ${describeOutcome(duplicate)}`);
    if (probe.executions() !== runsAfterFirst) problems.push('a duplicate ran the handler again while the lease held');
  }
  if (duplicate.kind === 'untyped') problems.push(`duplicate got an untyped failure: ${duplicate.detail}`);

  endLease();
  const final = await invoke();
  if (final.kind !== 'answer') return [...problems, `no answer after the lease ended: ${describeOutcome(final)}`];
  const runsAtEnd = probe.executions();
  const last = await invoke();
  if (last.kind !== 'answer' || JSON.stringify(last.result) !== JSON.stringify(final.result))
    problems.push(`the answer was not replayed: ${describeOutcome(last)}`);
  if (probe.executions() !== runsAtEnd) problems.push('a completed key ran again');
  if (runsAtEnd > 2) problems.push(`the handler ran ${runsAtEnd} times for one fault`);
  if (fault.step === 'transaction' && (await probe.orders()) !== 1) problems.push(`expected exactly one order, found ${await probe.orders()}`);
  return problems;
}
