import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { RecordStatus } from '../idempotency/index.js';
import { CliError, ExitCode, firstLine } from './cli-error.js';
import { inspectRecord } from './inspect-command.js';
import { listRecords } from './list-command.js';
import { note } from './output.js';
import { selectRecord, type SelectorOptions } from './record-selector.js';
import { tableOptionDefaults, withRecordTable, type TableOptions } from './record-table.js';
import { releaseRecord } from './release-command.js';

type InspectOptions = TableOptions & SelectorOptions & { json: boolean };
type ReleaseCommandOptions = InspectOptions & { force: boolean };
type ListCommandOptions = TableOptions & { status?: RecordStatus; json: boolean; pageSize?: number };

/**
 * Runs `lambda-idempotency` with `argv` (as `process.argv`: node, script, arguments) and returns its exit code:
 * 0 done, 1 no such record, 2 bad usage, 3 DynamoDB or the record failed, 4 refused. Failures print one line on stderr.
 */
export async function runCli(argv: readonly string[]): Promise<ExitCode> {
  try {
    await createProgram().parseAsync(argv);
    return ExitCode.Ok;
  } catch (error) {
    // Commander has printed its own line (or the help) already.
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    const failure = error instanceof CliError ? error : new CliError(`Unexpected failure: ${firstLine(error)}`, ExitCode.Failed);
    note(`error: ${failure.message}`);
    return failure.exitCode;
  }
}

function createProgram(): Command {
  const program = new Command('lambda-idempotency').description('Inspects, releases and lists the records of a lambda-idempotency table.').exitOverride();
  selectorOptions(tableOptions(program.command('inspect')))
    .description('Shows a record: status, lease end, retention end, fingerprint hash, the stored result decoded and its steps. Exits 1 when there is none.')
    .option('--json', 'print one JSON object', false)
    .action((options: InspectOptions) => {
      const selected = selectRecord(options);
      return withRecordTable(options, (table) => inspectRecord(table, selected, options));
    });
  selectorOptions(tableOptions(program.command('release')))
    .description(
      'Deletes an IN_PROGRESS record (a COMPLETED one only with --force) if it is unchanged since read, so the next request runs; one holding steps keeps them, its lease ended.',
    )
    .option('--force', 'delete a COMPLETED record too, or an IN_PROGRESS one with its steps: the next request runs the handler (and the steps) again', false)
    .option('--json', 'print what was done as one JSON object', false)
    .action((options: ReleaseCommandOptions) => {
      const selected = selectRecord(options);
      return withRecordTable(options, (table) => releaseRecord(table, selected, options));
    });
  tableOptions(program.command('list'))
    .description('Lists every record: id, status, lease end and retention end. Progress goes to stderr.')
    .addOption(new Option('--status <status>', 'only records in this status').choices(Object.values(RecordStatus)))
    .option('--json', 'print one JSON object per line', false)
    .option('--page-size <items>', 'items read per Scan page (default: 1 MB pages)', positiveInteger)
    .action((options: ListCommandOptions) => withRecordTable(options, (table) => listRecords(table, options)));
  return program;
}

function tableOptions(command: Command): Command {
  return command
    .requiredOption('--table <name>', 'the idempotency table')
    .option('--region <region>', 'the AWS region (default: AWS_REGION or your AWS profile)')
    .option('--endpoint <url>', 'a DynamoDB endpoint, e.g. http://localhost:8000 for DynamoDB Local')
    .option('--key-attribute <name>', "the table's partition key (the store's keyAttribute)", tableOptionDefaults.keyAttribute)
    .option('--sort-key-attribute <name>', "the table's sort key, for a table whose key has one (the store's sortKeyAttribute)")
    .option('--expiry-attribute <name>', "the table's TTL attribute (the store's expiryAttribute)", tableOptionDefaults.expiryAttribute);
}

function selectorOptions(command: Command): Command {
  return command
    .option('--key <key>', "the client's idempotency key")
    .option('--function <name>', "the Lambda function's name (context.functionName; default: '', no Lambda context)")
    .option('--namespace <namespace>', "the namespace option (default: ''; makeIdempotent: the function's name; SQS handler: 'sqs')")
    .option('--scope <scope>', "what the scope option returned (httpIdempotency: readCallerScope(event)); default: ''")
    .addOption(new Option('--id <record id>', 'the record id itself, instead of --key and its parts').conflicts(['key', 'function', 'namespace', 'scope']));
}

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('Expected a positive integer.');
  return parsed;
}
