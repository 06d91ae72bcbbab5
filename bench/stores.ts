import { randomUUID } from 'node:crypto';
import { createLambdaContext } from '../test/support/lambda-context.js';
import { reportProgress } from './progress.js';
import type { PathCalls } from './round-trips.js';
import { sampleRounds, type Cell } from './sampling.js';
import type { BenchSettings } from './settings.js';
import { medianOfRounds, type Percentiles } from './stats.js';
import { createStoreHandler, storeSubjects, type StoreHandler, type StoreServers, type StoreSubject } from './store-subjects.js';
import { answerAtOnce, paymentEvent, type BenchBody } from './subjects.js';

/** The paths compared across stores. */
export const storePaths = ['first-call', 'duplicate', 'in-progress-duplicate'] as const;
export type StorePath = (typeof storePaths)[number];

/**
 * One store's figures per path: sequential latency (medians over rounds) and the commands one invocation sent. A path
 * without latency could not be timed repeatedly (see {@link measureStores}).
 */
export interface StoreRow {
  readonly latency: Partial<Record<StorePath, Percentiles>>;
  readonly calls: Record<StorePath, PathCalls>;
}

export type StoreResults = Record<StoreSubject, StoreRow>;

/**
 * Times and counts the three paths of every store in {@link storeSubjects}. Like the latency measurement, each path is
 * a group whose cells take turns call by call, so every store meets the same moments of load. Powertools' in-progress
 * duplicate is counted but not timed: it deletes the holder's record (SET, GET, DEL), so the next duplicate would
 * claim the key and run the handler a second time instead of meeting a key in progress.
 */
export async function measureStores(servers: StoreServers, settings: BenchSettings): Promise<StoreResults> {
  const context = createLambdaContext({ functionName: 'bench', remainingMs: 30_000 });
  // The held invocations outlive the run: their lease (and Middy's timeout) must too.
  const holdingContext = createLambdaContext({ functionName: 'bench', remainingMs: 3_600_000 });
  const run = randomUUID();
  let counter = 0;
  const freshKey = () => `${run}-${counter++}`;
  // One invocation per store stays inside the handler until the end, so its key is in progress throughout.
  const entered = new Map<string, () => void>();
  let releaseHeld = () => {};
  const held = new Promise<void>((resolve) => (releaseHeld = resolve));
  const body: BenchBody = async (event) => {
    const enter = entered.get(event.key);
    if (enter === undefined) return answerAtOnce(event);
    enter();
    await held;
    return answerAtOnce(event);
  };
  const handlers = new Map<StoreSubject, StoreHandler>();
  const groups = new Map<StorePath, Map<string, Cell>>(storePaths.map((path) => [path, new Map()]));
  const calls = {} as Record<StoreSubject, Record<StorePath, PathCalls>>;
  const running: Promise<unknown>[] = [];
  for (const subject of storeSubjects) {
    reportProgress(`stores: preparing ${subject}`);
    const store = await createStoreHandler(subject, servers, body);
    handlers.set(subject, store);
    const invoke = (key: string) => store.handler(paymentEvent(key), context);
    const [completedKey, heldKey] = [freshKey(), freshKey()];
    await new Promise<void>((resolve) => {
      entered.set(heldKey, resolve);
      running.push(store.handler(paymentEvent(heldKey), holdingContext));
    });
    // One untimed first call loads the scripts (EVALSHA then finds them) and opens the connections.
    await invoke(freshKey());
    const count = async (call: () => Promise<unknown>): Promise<PathCalls> => {
      const { commands, outcome } = await store.recorder.during(call);
      return { commands, outcome: outcome.status === 'fulfilled' ? 'returned' : ((outcome.reason as Error).name ?? 'Error') };
    };
    calls[subject] = {
      'first-call': await count(() => invoke(completedKey)),
      duplicate: await count(() => invoke(completedKey)),
      'in-progress-duplicate': await count(() => invoke(heldKey)),
    };
    groups.get('first-call')?.set(`first-call/${subject}`, () => invoke(freshKey()));
    groups.get('duplicate')?.set(`duplicate/${subject}`, () => invoke(completedKey));
    if (!subject.startsWith('Powertools'))
      groups.get('in-progress-duplicate')?.set(`in-progress-duplicate/${subject}`, () => invoke(heldKey).then(unexpectedAnswer, expectInProgress));
  }
  try {
    const rounds = await sampleRounds(groups, settings, 'stores');
    return Object.fromEntries(
      storeSubjects.map((subject) => [
        subject,
        {
          calls: calls[subject],
          latency: Object.fromEntries(
            storePaths.flatMap((path) => (rounds.has(`${path}/${subject}`) ? [[path, medianOfRounds(rounds.get(`${path}/${subject}`) ?? [])]] : [])),
          ),
        },
      ]),
    ) as StoreResults;
  } finally {
    releaseHeld();
    await Promise.allSettled(running);
    for (const store of handlers.values()) await store.close();
  }
}

const unexpectedAnswer = () => {
  throw new Error('A duplicate of a key in progress was answered as if it were free');
};
// Both libraries refuse a key in progress with an error whose class name says so; anything else is a failed run.
const expectInProgress = (error: unknown) => {
  if (!(error instanceof Error) || !/InProgress/.test(error.name)) throw error;
};
