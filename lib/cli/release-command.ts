import { ConditionalCheckFailedException, DeleteItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { RecordStatus, type IdempotencyRecord } from '../idempotency/index.js';
import { createItemExpressions, type ConditionParams } from '../idempotency/store/dynamodb-expressions.js';
import type { ItemAttributeNames } from '../idempotency/store/dynamodb-item.js';
import { createStepExpressions } from '../idempotency/store/dynamodb-step-expressions.js';
import { recordKey } from '../idempotency/store/dynamodb-table-key.js';
import { CliError, ExitCode } from './cli-error.js';
import { noRecordError } from './inspect-command.js';
import { printLines } from './output.js';
import { readStoredRecord, type RecordTable } from './record-table.js';
import type { SelectedRecord } from './record-selector.js';

/** Options of {@link releaseRecord}. */
export interface ReleaseOptions {
  /** Delete a COMPLETED record too, and an IN_PROGRESS one with its steps. */
  readonly force: boolean;
  readonly json: boolean;
}

/**
 * Frees the selected record's key so that the next request with it runs the handler. An IN_PROGRESS record (a crashed
 * or stuck invocation) is deleted; if it holds completed steps, its lease is ended instead, as the library's own
 * release does, so the next request takes it over and gets the steps' results back rather than repeating their side
 * effects. With `force`, a COMPLETED record is deleted too, and an IN_PROGRESS one with its steps. Every write is
 * conditional on the status and lease token just read (and a delete without `force` on the record still holding no
 * steps), so a record claimed, completed or given steps meanwhile is left alone.
 * @throws {CliError} with exit code 1 when there is no record (or it went meanwhile), 4 when it is COMPLETED without
 * `force` or changed meanwhile, 3 when DynamoDB fails or the record cannot be read.
 */
export async function releaseRecord(table: RecordTable, selected: SelectedRecord, options: ReleaseOptions): Promise<void> {
  const stored = await readStoredRecord(table, selected.id);
  if (stored === undefined) throw noRecordError(table, selected);
  const { record, steps } = stored;
  if (record.status === RecordStatus.Completed && !options.force) {
    throw new CliError(
      `The ${selected.description} is COMPLETED: deleting it makes the next request with this key run the handler again. Pass --force to delete it.`,
      ExitCode.Refused,
    );
  }
  const stepNames = [...steps.keys()];
  const keepSteps = stepNames.length > 0 && !options.force;
  if (keepSteps) await endLeaseUnchanged(table, record, selected);
  else await deleteUnchanged(table, record, selected, options.force);
  const done = { action: keepSteps ? 'lease-ended' : 'deleted', id: record.id, status: record.status, ...(stepNames.length > 0 ? { steps: stepNames } : {}) };
  await printLines([options.json ? JSON.stringify(done) : describeRelease(table, record, stepNames, keepSteps)]);
}

/**
 * The condition of the tool's delete: the record still has the status and lease token it was read with and, unless
 * `withSteps`, still holds no steps (a step saved after the read is a side effect done that a retry must not repeat).
 */
export function releaseDeleteCondition(names: ItemAttributeNames, record: IdempotencyRecord, withSteps: boolean): ConditionParams {
  const unchanged = createItemExpressions(names).unchangedSince(record);
  if (withSteps) return unchanged;
  return {
    ...unchanged,
    ConditionExpression: `${unchanged.ConditionExpression} AND attribute_not_exists(#steps)`,
    ExpressionAttributeNames: { ...unchanged.ExpressionAttributeNames, '#steps': names.steps },
  };
}

// What both writes name: the record, and its item as it was when their condition fails.
const writeTarget = (table: RecordTable, id: string) =>
  ({ TableName: table.store.tableName, Key: recordKey(id, table.names), ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }) as const;

function deleteUnchanged(table: RecordTable, record: IdempotencyRecord, selected: SelectedRecord, withSteps: boolean): Promise<void> {
  const command = new DeleteItemCommand({ ...writeTarget(table, record.id), ...releaseDeleteCondition(table.names, record, withSteps) });
  return writeUnchanged(table, selected, () => table.store.client.send(command));
}

// The library's own release of a claim with steps: the same fenced update, from the tool.
async function endLeaseUnchanged(table: RecordTable, record: IdempotencyRecord, selected: SelectedRecord): Promise<void> {
  if (record.leaseToken === undefined) {
    throw new CliError(`The ${selected.description} holds steps but no lease token, so no request can resume it. Pass --force to delete it.`, ExitCode.Refused);
  }
  const update = createStepExpressions(table.names, createItemExpressions(table.names)).releaseKeepingSteps(record.leaseToken);
  const command = new UpdateItemCommand({ ...writeTarget(table, record.id), ...update });
  await writeUnchanged(table, selected, () => table.store.client.send(command));
}

// Sends a conditional write of the record; a failed condition means the record changed since it was read.
async function writeUnchanged(table: RecordTable, selected: SelectedRecord, send: () => Promise<unknown>): Promise<void> {
  try {
    await send();
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    if (error.Item === undefined) throw noRecordError(table, selected);
    const now = `${error.Item[table.names.status]?.S ?? 'unknown'}${error.Item[table.names.steps] === undefined ? '' : ', holding steps'}`;
    throw new CliError(`The ${selected.description} changed since it was read (now ${now}); nothing was changed. Inspect it again.`, ExitCode.Refused);
  }
}

function describeRelease(table: RecordTable, record: IdempotencyRecord, stepNames: readonly string[], keptSteps: boolean): string {
  const where = `table '${table.location.tableName}'`;
  const steps = `${stepNames.length} completed step${stepNames.length === 1 ? '' : 's'} (${stepNames.join(', ')})`;
  if (keptSteps) {
    return `Ended the lease of the ${record.status} record ${record.id} in ${where} and kept its ${steps}: the next request with its key takes it over and gets their results back without running them. Pass --force to delete the record with its steps.`;
  }
  const lost = stepNames.length === 0 ? '' : ` with its ${steps}, which the next request runs again`;
  return `Deleted the ${record.status} record ${record.id}${lost} from ${where}: the next request with its key runs the handler.`;
}
