import { ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { IdempotencyStoreError, isIdempotencyError } from '../idempotency/index.js';
import { CliError, ExitCode, firstLine } from './cli-error.js';

/** Where the tool talks to DynamoDB, for error lines: `at <endpoint>` or `in region <region>`. */
export interface TableLocation {
  readonly tableName: string;
  readonly region: string;
  readonly endpoint?: string;
}

// What Node reports when nothing answers at the endpoint: refused, unknown host, no route, timed out, cut.
const unreachable = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET']);

// `at <endpoint>` or `in region <region>`.
const describeLocation = (location: TableLocation): string => (location.endpoint === undefined ? `in region ${location.region}` : `at ${location.endpoint}`);

/**
 * Turns what a DynamoDB call threw into the one line the tool prints: a missing table, an endpoint that does not
 * answer and a record the library cannot read are named as such; anything else keeps the SDK's first line.
 */
export function toCliError(error: unknown, location: TableLocation): CliError {
  if (error instanceof CliError) return error;
  // The store wraps SDK errors; its own message names the table and record, the cause says what went wrong.
  const cause = error instanceof IdempotencyStoreError ? error.cause : error;
  const where = describeLocation(location);
  if (cause instanceof ResourceNotFoundException) {
    return new CliError(`Table '${location.tableName}' does not exist ${where}.`, ExitCode.Failed, { cause });
  }
  const code = networkCode(cause);
  if (code !== undefined) return new CliError(`Cannot reach DynamoDB ${where} (${code}).`, ExitCode.Failed, { cause });
  if (isIdempotencyError(cause)) return new CliError(cause.message, ExitCode.Failed, { cause });
  return new CliError(`DynamoDB call failed ${where}: ${firstLine(cause)}`, ExitCode.Failed, { cause });
}

// Node sets `code` on the socket error; with several addresses to try it reports an AggregateError of them.
function networkCode(error: unknown): string | undefined {
  const candidates = [error, ...(error instanceof AggregateError ? error.errors : []), error instanceof Error ? error.cause : undefined];
  for (const candidate of candidates) {
    const code = (candidate as { code?: unknown } | undefined)?.code;
    if (typeof code === 'string' && unreachable.has(code)) return code;
  }
  return undefined;
}
