/** How a batch handler runs its records: the part every event source shares. */
export interface BatchPlan<TItem> {
  /** At most this many records run at once. */
  readonly maxConcurrency: number;
  /** The record's idempotency key, when it has one: records that share it run one after another. */
  readonly keyLaneOf: (item: TItem) => string | undefined;
  /** Runs one record; a rejection is its failure. */
  readonly processRecord: (item: TItem) => Promise<unknown>;
}

/** The lanes of a record: the sequence it must keep its order in (a message group, a shard), and its key. */
export function recordLanes(orderedIn: string | undefined, keyLane: string | undefined): string[] {
  return [...(orderedIn === undefined ? [] : [`order:${orderedIn}`]), ...(keyLane === undefined ? [] : [`key:${keyLane}`])];
}

/**
 * Runs `run` once per item, at most `maxConcurrency` at a time, and settles when every item has.
 *
 * An item names its lanes (a FIFO message group, a shard, its idempotency key): it starts only once every earlier
 * item of the batch that shares one of its lanes has settled, so each lane runs in batch order while unrelated items
 * overlap. An item waits for its predecessors before it takes a slot, so a waiting item never holds one and the
 * batch cannot deadlock. `run` must not reject: an item's failure is the caller's to record.
 */
export async function runInLanes<T>(
  items: readonly T[],
  lanesOf: (item: T) => readonly unknown[],
  maxConcurrency: number,
  run: (item: T) => Promise<void>,
): Promise<void> {
  const acquire = createSlots(maxConcurrency);
  const lastOfLane = new Map<unknown, Promise<void>>();
  const settled = items.map((item) => {
    const lanes = lanesOf(item);
    const predecessors = lanes.flatMap((lane) => lastOfLane.get(lane) ?? []);
    const done = Promise.all(predecessors).then(async () => {
      const release = await acquire();
      try {
        await run(item);
      } finally {
        release();
      }
    });
    for (const lane of lanes) lastOfLane.set(lane, done);
    return done;
  });
  await Promise.all(settled);
}

/** A counting semaphore whose waiters are served first come, first served. */
function createSlots(size: number): () => Promise<() => void> {
  let free = size;
  const waiting: Array<() => void> = [];
  const release = () => {
    const next = waiting.shift();
    if (next === undefined) free += 1;
    else next();
  };
  return async () => {
    if (free > 0) {
      free -= 1;
      return release;
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
    return release;
  };
}
