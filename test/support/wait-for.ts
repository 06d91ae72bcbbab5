/**
 * Polls `condition` every 10 ms and resolves once it holds. It sets no deadline of its own, so a slow machine only
 * makes it wait longer: a condition that never holds fails the test at Jest's test timeout.
 */
export async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}
