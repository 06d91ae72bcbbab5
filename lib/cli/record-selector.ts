import { deriveRecordId, isIdempotencyKeyError } from '../idempotency/index.js';
import { CliError, ExitCode } from './cli-error.js';

/** The options that name one record: its parts (`--key` with `--function`, `--namespace`, `--scope`) or `--id`. */
export interface SelectorOptions {
  readonly key?: string;
  readonly function?: string;
  readonly namespace?: string;
  readonly scope?: string;
  readonly id?: string;
}

/** The record a selector names, and how to say it in a message. */
export interface SelectedRecord {
  readonly id: string;
  readonly description: string;
}

/**
 * The record id the options name, computed by the library's own `deriveRecordId` from `--key` and its parts (each
 * absent part is `''`, as the library stores it), or `--id` as given.
 * @throws {CliError} with exit code 2 when neither or both are given, or the key is one the library rejects.
 */
export function selectRecord(options: SelectorOptions): SelectedRecord {
  const { key, id } = options;
  if ((key === undefined) === (id === undefined)) {
    throw new CliError('Name the record with --key (and the --function, --namespace and --scope it was stored under) or with --id.', ExitCode.Usage);
  }
  if (id !== undefined) {
    if (id === '') throw new CliError('--id must not be empty.', ExitCode.Usage);
    return { id, description: `record ${id}` };
  }
  const parts = { functionName: options.function ?? '', namespace: options.namespace ?? '', scope: options.scope ?? '', clientKey: key as string };
  try {
    const recordId = deriveRecordId(parts);
    const named = `key ${JSON.stringify(parts.clientKey)}, function ${JSON.stringify(parts.functionName)}, namespace ${JSON.stringify(parts.namespace)}, scope ${JSON.stringify(parts.scope)}`;
    return { id: recordId, description: `record ${recordId} (${named})` };
  } catch (error) {
    if (isIdempotencyKeyError(error)) throw new CliError(`--key: ${error.message}; no record can have it.`, ExitCode.Usage, { cause: error });
    throw error;
  }
}
