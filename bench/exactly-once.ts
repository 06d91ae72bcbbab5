import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createIdempotencyTable } from '../test/support/dynamodb.js';
import { createLambdaContext } from '../test/support/lambda-context.js';
import { createBenchClient } from './clients.js';
import { reportProgress } from './progress.js';
import type { BenchSettings } from './settings.js';
import { createSubject, libraries, paymentEvent, type BenchEvent, type Library } from './subjects.js';

/** What happened to `keys × duplicatesPerKey` concurrent invocations of one library. */
export interface ExactlyOnceRun {
  readonly keys: number;
  readonly duplicatesPerKey: number;
  /** Keys whose handler ran more than once, with the count: each one is a failure. */
  readonly doubleExecutions: Readonly<Record<string, number>>;
  /** Keys whose handler never ran (every duplicate was refused): not a double execution, but reported. */
  readonly keysNeverExecuted: number;
  /** Invocations that returned a response other than the one their key's first execution produced. */
  readonly wrongReplays: number;
  /** Handler executions in all; the floor is one per key. */
  readonly executions: number;
  /** How the invocations ended: `returned` (executed or replayed), or the error's class name. */
  readonly outcomes: Readonly<Record<string, number>>;
}

export type ExactlyOnceResults = Record<Library, ExactlyOnceRun>;

/** Fires every key's duplicates at once, a few keys at a time, and counts the handler's executions per key. */
export async function measureExactlyOnce(endpoint: string, settings: BenchSettings): Promise<ExactlyOnceResults> {
  const results: Partial<ExactlyOnceResults> = {};
  for (const library of libraries) results[library] = await runLibrary(library, endpoint, settings);
  return results as ExactlyOnceResults;
}

async function runLibrary(library: Library, endpoint: string, settings: BenchSettings): Promise<ExactlyOnceRun> {
  const client = createBenchClient(endpoint);
  const { body, executions } = createCountingBody();
  const handler = createSubject(library, { client, tableName: await createIdempotencyTable(client), body });
  const context = createLambdaContext({ functionName: 'bench', remainingMs: 30_000 });
  const outcomes: Record<string, number> = {};
  const count = (outcome: string) => (outcomes[outcome] = (outcomes[outcome] ?? 0) + 1);
  let wrongReplays = 0;
  const run = randomUUID();
  for (let first = 0; first < settings.exactlyOnceKeys; first += settings.exactlyOnceKeysInFlight) {
    reportProgress(`exactly-once ${library}: keys ${first + 1}–${first + settings.exactlyOnceKeysInFlight} of ${settings.exactlyOnceKeys}`);
    const keys = Array.from({ length: Math.min(settings.exactlyOnceKeysInFlight, settings.exactlyOnceKeys - first) }, (_, i) => `${run}-${first + i}`);
    const invocations = keys.flatMap((key) =>
      Array.from({ length: settings.duplicatesPerKey }, () => handler(paymentEvent(key), context).then((response) => ({ key, response }))),
    );
    for (const settled of await Promise.allSettled(invocations)) {
      if (settled.status === 'rejected') {
        count((settled.reason as Error).name ?? 'Error');
        continue;
      }
      if (settled.value.response.body !== firstResponseBody(settled.value.key)) wrongReplays++;
      count('returned');
    }
  }
  return {
    keys: settings.exactlyOnceKeys,
    duplicatesPerKey: settings.duplicatesPerKey,
    doubleExecutions: Object.fromEntries([...executions].filter(([, times]) => times > 1)),
    keysNeverExecuted: settings.exactlyOnceKeys - executions.size,
    wrongReplays,
    executions: [...executions.values()].reduce((sum, times) => sum + times, 0),
    outcomes,
  };
}

/** A handler that counts its executions per key and answers with the execution's number, so replays can be checked. */
function createCountingBody() {
  const executions = new Map<string, number>();
  const body = async (event: BenchEvent) => {
    const execution = (executions.get(event.key) ?? 0) + 1;
    executions.set(event.key, execution);
    // Work that takes a while, so the duplicates arrive while the first execution holds the key.
    await sleep(5);
    return { statusCode: 201, body: JSON.stringify({ paymentId: event.key, execution }) };
  };
  return { body, executions };
}

function firstResponseBody(key: string): string {
  return JSON.stringify({ paymentId: key, execution: 1 });
}
