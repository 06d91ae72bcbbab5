/**
 * Runs `task(0..count-1)` with at most `concurrency` in flight and resolves, once all have settled, with the number that
 * rejected: a failed invocation is counted, never thrown, so one error does not stop a measurement.
 */
export async function runPool(count: number, concurrency: number, task: (index: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      await task(index).catch(() => failed++);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return failed;
}
