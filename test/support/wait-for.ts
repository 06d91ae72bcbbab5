/** Polls `condition` every 10 ms and resolves once it holds; rejects after 2 s, so a broken test fails instead of hanging. */
export async function waitFor(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 200 && !condition(); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!condition()) throw new Error('condition not reached within 2 s');
}
