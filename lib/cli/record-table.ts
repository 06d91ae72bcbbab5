import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoDBStore, dynamoDBStoreDefaults, type DynamoDBStore, type IdempotencyRecord } from '../idempotency/index.js';
import { fromItem, itemAttributeNames, readSteps, type ItemAttributeNames } from '../idempotency/store/dynamodb-item.js';
import type { StepResults } from '../idempotency/store/store.js';
import { recordKey } from '../idempotency/store/dynamodb-table-key.js';
import { toCliError, type TableLocation } from './aws-failure.js';
import { CliError, ExitCode, firstLine } from './cli-error.js';

/** The options every command takes to reach the table. */
export interface TableOptions {
  readonly table: string;
  readonly region?: string;
  readonly endpoint?: string;
  readonly keyAttribute: string;
  /** The table's sort key, when its key has one (a single-table design). */
  readonly sortKeyAttribute?: string;
  readonly expiryAttribute: string;
}

/** The defaults of {@link TableOptions}: the store's own attribute names. */
export const tableOptionDefaults = {
  keyAttribute: dynamoDBStoreDefaults.keyAttribute,
  expiryAttribute: dynamoDBStoreDefaults.expiryAttribute,
} as const;

/** An idempotency table as the commands use it: the library's store over it, its attribute names and where it is. */
export interface RecordTable {
  readonly store: DynamoDBStore;
  readonly names: ItemAttributeNames;
  readonly location: TableLocation;
}

/** A record as the commands read it: what the library reads, and the results of its completed steps (`step`). */
export interface StoredRecord {
  readonly record: IdempotencyRecord;
  /** Step name → its stored JSON text (`undefined` when the step returned nothing); empty when the record holds none. */
  readonly steps: StepResults;
}

/**
 * Reads the record of `id` with a strongly consistent `GetItem`, with its steps, which the store's `get` leaves out.
 * @throws {IdempotencyRecordCorruptError} when the library cannot read the record or its steps.
 */
export async function readStoredRecord(table: RecordTable, id: string): Promise<StoredRecord | undefined> {
  const { store, names } = table;
  const { Item: item } = await store.client.send(new GetItemCommand({ TableName: store.tableName, Key: recordKey(id, names), ConsistentRead: true }));
  return item === undefined ? undefined : { record: fromItem(item, names), steps: readSteps(item, names) };
}

/**
 * Opens the table with the SDK's default credential chain, runs `use` and closes the client, turning any failure into
 * a {@link CliError}.
 * @throws {CliError} with exit code 2 for invalid attribute names or endpoint, 3 when there is no region or credential
 * or a DynamoDB call fails.
 */
export async function withRecordTable<T>(options: TableOptions, use: (table: RecordTable) => Promise<T>): Promise<T> {
  const client = new DynamoDBClient({ region: options.region, endpoint: checkedEndpoint(options.endpoint) });
  try {
    const store = createStore(client, options);
    const location = { tableName: options.table, region: await resolveRegion(client), endpoint: options.endpoint };
    await resolveCredentials(client);
    const table = { store, names: itemAttributeNames(options.keyAttribute, options.expiryAttribute, options.sortKeyAttribute), location };
    try {
      return await use(table);
    } catch (error) {
      throw toCliError(error, location);
    }
  } finally {
    client.destroy();
  }
}

function checkedEndpoint(endpoint: string | undefined): string | undefined {
  if (endpoint === undefined) return undefined;
  const protocol = URL.canParse(endpoint) ? new URL(endpoint).protocol : undefined;
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new CliError(`--endpoint must be an http or https URL such as http://localhost:8000, got '${endpoint}'.`, ExitCode.Usage);
  }
  return endpoint;
}

// Resolved before the first call, so that a missing region or credential is named as such, not as a failed request.
async function resolveRegion(client: DynamoDBClient): Promise<string> {
  try {
    return await client.config.region();
  } catch {
    throw new CliError('No AWS region: pass --region or set AWS_REGION (or a region in your AWS profile).', ExitCode.Failed);
  }
}

async function resolveCredentials(client: DynamoDBClient): Promise<void> {
  try {
    await client.config.credentials();
  } catch (error) {
    throw new CliError(
      `No AWS credentials (${firstLine(error)}): set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (any values for DynamoDB Local).`,
      ExitCode.Failed,
      { cause: error },
    );
  }
}

function createStore(client: DynamoDBClient, options: TableOptions): DynamoDBStore {
  try {
    const { keyAttribute, sortKeyAttribute, expiryAttribute } = options;
    return createDynamoDBStore({ tableName: options.table, client, keyAttribute, sortKeyAttribute, expiryAttribute });
  } catch (error) {
    // The store names its options (`keyAttribute`); the user typed the flags.
    throw new CliError(`Invalid table options: ${(error as Error).message}`, ExitCode.Usage, { cause: error });
  }
}
