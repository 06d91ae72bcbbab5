/** The CloudWatch EMF lines that code under test wrote to stdout, held back from the test output. */
export interface EmfCapture {
  /** The lines captured since the last take, oldest first, without their newline; taking them empties the capture. */
  take(): string[];
}

// An EMF document is one JSON object with an `_aws` member, on a line of its own: nothing else written to stdout is.
const emfLineOf = (chunk: unknown): string | undefined => {
  const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : undefined;
  const line = text?.endsWith('\n') === true ? text.slice(0, -1) : text;
  if (line === undefined || !line.startsWith('{') || line.includes('\n')) return undefined;
  try {
    const document: unknown = JSON.parse(line);
    return typeof document === 'object' && document !== null && '_aws' in document ? line : undefined;
  } catch {
    return undefined;
  }
};

// Kept on the stream, which every test file of a Jest worker shares (each file has its own copy of this module).
const installed = Symbol.for('lambda-idempotency.test.stdoutEmfCapture');
type CapturingStream = NodeJS.WriteStream & { [installed]?: EmfCapture };

/**
 * The capture of the EMF lines written to stdout: `createOutcomeMetrics` writes them there by default (where Lambda
 * sends them to CloudWatch), so a test that runs an instrumented handler in process would print one per invocation.
 * Installed on the first call and kept for the life of the process, so that a handler that ends after its test file
 * (one a test left stalled) is captured too; every other write reaches stdout as before.
 */
export function stdoutEmfLines(): EmfCapture {
  const stream: CapturingStream = process.stdout;
  const existing = stream[installed];
  if (existing !== undefined) return existing;
  const lines: string[] = [];
  const write = stream.write;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    const line = emfLineOf(chunk);
    if (line === undefined) return (write as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
    lines.push(line);
    (rest.find((argument) => typeof argument === 'function') as (() => void) | undefined)?.();
    return true;
  }) as typeof stream.write;
  const capture = { take: () => lines.splice(0) };
  stream[installed] = capture;
  return capture;
}
