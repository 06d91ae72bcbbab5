import { systemClock } from '../idempotency/clock.js';
import { CliError, ExitCode } from './cli-error.js';
import { printLines } from './output.js';
import { readStoredRecord, type RecordTable } from './record-table.js';
import type { SelectedRecord } from './record-selector.js';
import { renderRecordView } from './record-text.js';
import { toRecordView } from './record-view.js';

/**
 * Prints the selected record: status, lease end, retention end, fingerprint hash, the stored result decoded and the
 * names of its completed steps if it holds any, as text or as one JSON object (with each step's stored JSON).
 * @throws {CliError} with exit code 1 when there is no record, 3 when it cannot be read.
 */
export async function inspectRecord(table: RecordTable, selected: SelectedRecord, options: { readonly json: boolean }): Promise<void> {
  const stored = await readStoredRecord(table, selected.id);
  if (stored === undefined) throw noRecordError(table, selected);
  const view = toRecordView(stored.record, stored.steps);
  await printLines(options.json ? [JSON.stringify(view)] : renderRecordView(view, systemClock()));
}

/** The error for a selector that names no record in the table. */
export function noRecordError(table: RecordTable, selected: SelectedRecord): CliError {
  return new CliError(`No ${selected.description} in table '${table.location.tableName}'.`, ExitCode.NoRecord);
}
