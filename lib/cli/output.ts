import { once } from 'node:events';

/**
 * Writes `lines` to stdout, waiting while its buffer is full, so that a long listing piped into a slow reader holds
 * one page in memory, not the whole table.
 */
export async function printLines(lines: readonly string[]): Promise<void> {
  for (const text of lines) {
    if (!process.stdout.write(`${text}\n`)) await once(process.stdout, 'drain');
  }
}

/** Writes one line to stderr: progress and notes that must not mix with what stdout prints. */
export function note(text: string): void {
  process.stderr.write(`${text}\n`);
}
