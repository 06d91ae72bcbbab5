import { randomUUID } from 'node:crypto';
import { createIdempotencyTable } from '../test/support/dynamodb.js';
import { createLambdaContext } from '../test/support/lambda-context.js';
import { recordCalls, type CommandLog } from '../test/support/call-counter.js';
import { createBenchClient } from './clients.js';
import { reportProgress } from './progress.js';
import { answerAtOnce, createSubject, libraries, paymentEvent, type BenchEvent, type Library } from './subjects.js';

/** The invocation paths whose DynamoDB calls are counted, and the floor each should reach. */
export const roundTripTargets = { 'first-call': 2, duplicate: 1, 'cached-duplicate': 0, 'in-progress-duplicate': 1, 'handler-error': 2 } as const;
export type RoundTripPath = keyof typeof roundTripTargets;

/** The commands one invocation sent, and how it ended (`returned`, or the error's class name). */
export interface PathCalls {
  readonly commands: CommandLog;
  readonly outcome: string;
}

export type RoundTripResults = Record<RoundTripPath, Record<Library, PathCalls>>;

/** Counts the DynamoDB commands of each path, for both libraries, with a recorder on each library's own client. */
export async function measureRoundTrips(endpoint: string): Promise<RoundTripResults> {
  const results = Object.fromEntries(Object.keys(roundTripTargets).map((path) => [path, {}])) as Record<RoundTripPath, Partial<Record<Library, PathCalls>>>;
  for (const library of libraries) {
    reportProgress(`round trips: ${library}`);
    for (const [path, calls] of Object.entries(await countPaths(library, endpoint))) results[path as RoundTripPath][library] = calls;
  }
  return results as RoundTripResults;
}

/** Holds one invocation per key inside the handler until released; a key ending in `-fail` makes the handler throw. */
function createGatedBody() {
  const gates = new Map<string, { entered: () => void; release: Promise<void> }>();
  const body = async (event: BenchEvent) => {
    const gate = gates.get(event.key);
    if (gate !== undefined) {
      // One invocation per gate: a duplicate a library wrongly lets through runs on instead of deadlocking the bench.
      gates.delete(event.key);
      gate.entered();
      await gate.release;
    }
    if (event.key.endsWith('-fail')) throw new Error('Payment declined');
    return answerAtOnce(event);
  };
  /** Closes the gate of `key`; resolves once an invocation waits at it, with the function that lets it go. */
  const hold = (key: string) => {
    let release = () => {};
    const released = new Promise<void>((done) => (release = done));
    return new Promise<() => void>((resolve) => gates.set(key, { entered: () => resolve(release), release: released }));
  };
  return { body, hold };
}

async function countPaths(library: Library, endpoint: string): Promise<Record<RoundTripPath, PathCalls>> {
  const client = createBenchClient(endpoint);
  const recorder = recordCalls(client);
  const tableName = await createIdempotencyTable(client);
  const context = createLambdaContext({ functionName: 'bench', remainingMs: 30_000 });
  const { body, hold } = createGatedBody();
  const plain = createSubject(library, { client, tableName, body });
  const cached = createSubject(library, { client, tableName, body, localCache: true });
  const event = (name: string) => paymentEvent(`${randomUUID()}-${name}`);
  const invoke = async (handler: typeof plain, input: BenchEvent): Promise<PathCalls> => {
    const { commands, outcome } = await recorder.during(() => handler(input, context));
    return { commands, outcome: outcome.status === 'fulfilled' ? 'returned' : ((outcome.reason as Error).name ?? 'Error') };
  };

  const first = event('first');
  const firstCall = await invoke(plain, first);
  const duplicate = await invoke(plain, first);
  const cachedEvent = event('cached');
  await cached(cachedEvent, context);
  const cachedDuplicate = await invoke(cached, cachedEvent);
  const held = event('held');
  const holding = hold(held.key);
  const running = plain(held, context);
  const release = await holding;
  const inProgressDuplicate = await invoke(plain, held);
  release();
  await running;
  const handlerError = await invoke(plain, event('fail'));
  return {
    'first-call': firstCall,
    duplicate,
    'cached-duplicate': cachedDuplicate,
    'in-progress-duplicate': inProgressDuplicate,
    'handler-error': handlerError,
  };
}
