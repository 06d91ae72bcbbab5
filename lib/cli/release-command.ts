import { ConditionalCheckFailedException, DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { RecordStatus, type IdempotencyRecord } from '../idempotency/index.js';
import { createItemExpressions } from '../idempotency/store/dynamodb-expressions.js';
import { CliError, ExitCode } from './cli-error.js';
import { noRecordError } from './inspect-command.js';
import { printLines } from './output.js';
import type { RecordTable } from './record-table.js';
import type { SelectedRecord } from './record-selector.js';

/** Options of {@link releaseRecord}. */
export interface ReleaseOptions {
  /** Delete a COMPLETED record too. */
  readonly force: boolean;
  readonly json: boolean;
}

/**
 * Deletes the selected record so that the next request with its key runs the handler: an IN_PROGRESS record (a
 * crashed or stuck invocation), or a COMPLETED one with `force`. The delete is conditional on the status and lease
 * token just read, so a record claimed or completed meanwhile is left alone.
 * @throws {CliError} with exit code 1 when there is no record (or it went meanwhile), 4 when it is COMPLETED without
 * `force` or changed meanwhile, 3 when DynamoDB fails.
 */
export async function releaseRecord(table: RecordTable, selected: SelectedRecord, options: ReleaseOptions): Promise<void> {
  const record = await table.store.get(selected.id);
  if (record === undefined) throw noRecordError(table, selected);
  if (record.status === RecordStatus.Completed && !options.force) {
    throw new CliError(
      `The ${selected.description} is COMPLETED: deleting it makes the next request with this key run the handler again. Pass --force to delete it.`,
      ExitCode.Refused,
    );
  }
  await deleteUnchanged(table, record, selected);
  const done = { action: 'deleted', id: record.id, status: record.status };
  await printLines([
    options.json
      ? JSON.stringify(done)
      : `Deleted the ${record.status} record ${record.id} from table '${table.location.tableName}': the next request with its key runs the handler.`,
  ]);
}

async function deleteUnchanged(table: RecordTable, record: IdempotencyRecord, selected: SelectedRecord): Promise<void> {
  const { store, names } = table;
  try {
    await store.client.send(
      new DeleteItemCommand({
        TableName: store.tableName,
        Key: { [names.key]: { S: record.id } },
        ...createItemExpressions(names).unchangedSince(record),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    if (error.Item === undefined) throw noRecordError(table, selected);
    const now = error.Item[names.status]?.S ?? 'unknown';
    throw new CliError(`The ${selected.description} changed since it was read (now ${now}); nothing was deleted. Inspect it again.`, ExitCode.Refused);
  }
}
