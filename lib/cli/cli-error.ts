/** How `lambda-idempotency` exits: 0 done, 1 no such record, 2 bad usage, 3 DynamoDB or the record failed, 4 refused. */
export const ExitCode = { Ok: 0, NoRecord: 1, Usage: 2, Failed: 3, Refused: 4 } as const;
/** One of the {@link ExitCode} values. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A failure the tool reports as one line on stderr, never a stack, and ends with its exit code. */
export class CliError extends Error {
  override readonly name = 'CliError' as const;
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode, options?: { cause: unknown }) {
    super(message, options);
    this.exitCode = exitCode;
  }
}

/** The first line of an error's message, so that a multi-line SDK message stays one line. */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return message.split('\n')[0]?.trim() ?? message;
}
