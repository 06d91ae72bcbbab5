import { randomUUID } from 'node:crypto';
import { requireUncommittedClaim } from './claim-state.js';
import { IdempotencyLeaseLostError, IdempotencyRecordCorruptError, IdempotencyStepsUnsupportedError, IdempotencyStepTooLargeError } from './errors.js';
import { utf8Bytes } from './store/dynamodb-item-size.js';
import { deriveStepKey } from './key.js';
import type { Claim, IdempotencyStore, StepResults } from './store/store.js';

/** The most a record's steps hold, in bytes as {@link stepSizeBytes} counts them (names, JSON results, 2 per step): 256 KiB. */
export const maxStepBytes = 256 * 1024;

// What a DynamoDB map entry takes beyond its name and text: 1 byte per entry, and 1 for the NULL of an undefined result.
const stepEntryOverheadBytes = 2;

/**
 * What one step takes against {@link maxStepBytes}: its name and JSON text in UTF-8, plus 2 bytes. Those 2 bytes are
 * what a DynamoDB map entry costs beyond its name and value at most, so steps at the limit fit in one item beside the
 * record's other attributes whatever their number, also with a sort key and the longest attribute names.
 */
export const stepSizeBytes = (name: string, json: string | undefined): number => utf8Bytes(name) + utf8Bytes(json ?? '') + stepEntryOverheadBytes;

/** The longest step name, in characters. */
export const maxStepNameLength = 100;

const stepNamePattern = /^[A-Za-z0-9_.:-]+$/;

/** What a step's function receives. */
export interface StepContext {
  /**
   * A key for this step of this record: the same on every attempt of the record, different for every other step and
   * record, and revealing nothing of the client's key (64 hex characters). Pass it to any downstream system that
   * honours idempotency keys.
   */
  readonly idempotencyKey: string;
}

// Steps of one claim in flight, by name: a second call with the same name waits for the first instead of running again.
const inFlight = new WeakMap<StepResults, Map<string, Promise<unknown>>>();
// The bytes of one claim's steps whose writes are under way.
const saving = new WeakMap<StepResults, number>();

/**
 * Runs `fn` once per record: the first time step `name` of this invocation's record runs, `fn` runs, its result is
 * stored as JSON under the claim's fence, and the stored form is returned (a JSON copy, as every later attempt gets).
 * Any later attempt of the same record (after a crash, a timeout, a lease takeover, or a handler error that released
 * the key) gets the stored result back without running `fn`.
 *
 * Names are unique within a record: a name stands for one side effect, runs once per record, and later calls with it
 * return its stored result, whatever `fn` they pass. Steps may run in any order, also concurrently; the same name in
 * flight twice shares one run. A step that throws stores nothing and rethrows, so a retry runs it again. Steps
 * disappear with the record's retention, go when the record completes, and are never replayed to another record,
 * scope or namespace. Call steps before `completeWithTransaction`. When idempotency is skipped for the invocation
 * (no key with `onMissingKey: 'skip'`, or switched off), `fn` runs every time with a fresh random key.
 * @throws {TypeError} when `name` is not 1 to 100 letters, digits, `_`, `.`, `:` or `-`; when no running claim is bound to `contextOrRequest` or it was already committed; when the result is not JSON-serialisable.
 * @throws {IdempotencyStepsUnsupportedError} when the store cannot store steps; `fn` did not run.
 * @throws {IdempotencyStepTooLargeError} when the record's steps would pass {@link maxStepBytes}; the result was not stored.
 * @throws {IdempotencyLeaseLostError} when another invocation took the key over; the result was not stored.
 * @throws {IdempotencyStoreError} when the store failed; the result was not stored.
 * @throws {IdempotencyRecordCorruptError} when a stored step result is not valid JSON.
 * @example
 * ```ts
 * import middy from '@middy/core';
 * import type { Context } from 'aws-lambda';
 * import { createDynamoDBStore, idempotency, step } from 'lambda-idempotency';
 * const store = createDynamoDBStore({ tableName: 'idempotency' });
 * export const handler = middy(async (event: { orderId: string; cents: number }, context: Context) => {
 *   const charge = await step(context, 'charge', async ({ idempotencyKey }) => {
 *     const response = await fetch('https://payments.example/charges', { method: 'POST', headers: { 'Idempotency-Key': idempotencyKey }, body: JSON.stringify(event) });
 *     return (await response.json()) as { chargeId: string };
 *   });
 *   return { orderId: event.orderId, chargeId: charge.chargeId };
 * }).use(idempotency({ store, key: (event) => event.orderId }));
 * ```
 */
export async function step<T>(contextOrRequest: object, name: string, fn: (step: StepContext) => T | Promise<T>): Promise<T> {
  validateStepName(name);
  if (typeof fn !== 'function') throw new TypeError(`Expected the \`fn\` of step "${name}" to be a function, got ${typeof fn}.`);
  const held = requireUncommittedClaim(contextOrRequest);
  const { claim, store } = held;
  if (claim === undefined) return fn({ idempotencyKey: randomUUID() });
  const steps = claim.steps;
  if (store.saveStep === undefined || steps === undefined) throw new IdempotencyStepsUnsupportedError();
  if (steps.has(name)) return parseStep(claim.id, steps.get(name)) as T;
  const running = inFlight.get(steps) ?? new Map<string, Promise<unknown>>();
  inFlight.set(steps, running);
  const pending = running.get(name) ?? runStep({ claim, steps, saveStep: store.saveStep.bind(store) }, name, fn);
  running.set(name, pending);
  try {
    return (await pending) as T;
  } finally {
    running.delete(name);
  }
}

interface StepTarget {
  readonly claim: Claim;
  readonly steps: StepResults;
  readonly saveStep: NonNullable<IdempotencyStore['saveStep']>;
}

async function runStep<T>(target: StepTarget, name: string, fn: (step: StepContext) => T | Promise<T>): Promise<unknown> {
  const result = await fn({ idempotencyKey: deriveStepKey(target.claim.id, name) });
  const json = stringifyStep(name, result);
  const ownBytes = stepSizeBytes(name, json);
  // Steps being saved concurrently count too, so that together they can never pass the limit.
  const savingBytes = saving.get(target.steps) ?? 0;
  const sizeBytes = stepBytes(target.steps) + savingBytes + ownBytes;
  if (sizeBytes > maxStepBytes) throw new IdempotencyStepTooLargeError(name, maxStepBytes, sizeBytes);
  saving.set(target.steps, savingBytes + ownBytes);
  try {
    const answer = await target.saveStep(target.claim, name, json);
    if (answer === 'lease-lost') throw new IdempotencyLeaseLostError(target.claim.id);
    target.steps.set(name, json);
  } finally {
    saving.set(target.steps, (saving.get(target.steps) ?? ownBytes) - ownBytes);
  }
  return parseStep(target.claim.id, json);
}

/**
 * Checks a step name.
 * @throws {TypeError} when it is not 1 to {@link maxStepNameLength} letters, digits, `_`, `.`, `:` or `-`.
 */
function validateStepName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0 || name.length > maxStepNameLength || !stepNamePattern.test(name)) {
    const shown = typeof name === 'string' ? JSON.stringify(name.slice(0, maxStepNameLength + 1)) : typeof name;
    throw new TypeError(`Expected the step \`name\` to be 1 to ${maxStepNameLength} letters, digits, '_', '.', ':' or '-', got ${shown}.`);
  }
}

function stringifyStep(name: string, result: unknown): string | undefined {
  if (result === undefined) return undefined;
  let json: string | undefined;
  let cause: unknown;
  try {
    json = JSON.stringify(result);
  } catch (error) {
    cause = error;
  }
  // A BigInt or a cycle throws; a function or a symbol stringifies to undefined: nothing faithful to give a retry.
  if (json === undefined) throw new TypeError(`The result of step "${name}" is not JSON-serialisable, so it cannot be stored.`, { cause });
  return json;
}

function parseStep(recordId: string, json: string | undefined): unknown {
  try {
    return json === undefined ? undefined : JSON.parse(json);
  } catch (error) {
    throw new IdempotencyRecordCorruptError(recordId, 'a step result is not valid JSON', { cause: error });
  }
}

const stepBytes = (steps: StepResults): number => [...steps].reduce((sum, [name, json]) => sum + stepSizeBytes(name, json), 0);
