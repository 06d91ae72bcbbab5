/** Writes one progress line to stderr, replacing the previous one on a terminal, so stdout keeps only the results. */
export function reportProgress(message: string): void {
  const elapsed = (performance.now() / 1_000).toFixed(0).padStart(4);
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K[${elapsed} s] ${message}`);
  else process.stderr.write(`[${elapsed} s] ${message}\n`);
}

/** Ends the progress line so the next output starts on a fresh line. */
export function endProgress(): void {
  if (process.stderr.isTTY) process.stderr.write('\n');
}
