import {
  CreateTableCommand,
  DescribeTableCommand,
  UpdateTableCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { dynamoDBStoreDefaults } from '../idempotency/index.js';

/** The table names the local API uses. */
export interface LocalTableNames {
  /** @default 'idempotency' */
  readonly idempotencyTableName: string;
  /** @default 'orders' */
  readonly ordersTableName: string;
  /** @default 'shipments' */
  readonly shipmentsTableName: string;
}

/** The default local table names. */
export const localTableDefaults: LocalTableNames = { idempotencyTableName: 'idempotency', ordersTableName: 'orders', shipmentsTableName: 'shipments' };

// As the stack's orders table: fulfilment compares an order's status before and after each change.
const ordersStream = { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } as const;

/**
 * Creates the idempotency table (key `id`, TTL on `expiration`), the orders table (key `orderId`, with a stream of
 * new and old images) and the shipments table (key `shipmentId`) unless they exist, as the CDK stack defines them,
 * and turns the orders stream on when an older local orders table has none. Safe to call on every start.
 * @returns the ARN of the orders table's stream.
 */
export async function ensureLocalTables(client: DynamoDBClient, names: LocalTableNames): Promise<string> {
  const { keyAttribute, expiryAttribute } = dynamoDBStoreDefaults;
  const idempotency = await ensureTable(client, names.idempotencyTableName, keyAttribute);
  if (idempotency.created) await enableTimeToLive(client, names.idempotencyTableName, expiryAttribute);
  const orders = (await ensureTable(client, names.ordersTableName, 'orderId')).table;
  await ensureTable(client, names.shipmentsTableName, 'shipmentId');
  if (orders?.StreamSpecification?.StreamEnabled === true && orders.LatestStreamArn !== undefined) return orders.LatestStreamArn;
  const updated = await client.send(new UpdateTableCommand({ TableName: names.ordersTableName, StreamSpecification: ordersStream }));
  return updated.TableDescription?.LatestStreamArn as string;
}

/**
 * Creates an on-demand table whose partition key is the string attribute `keyAttribute`, with the string sort key
 * `sortKeyAttribute` when given.
 * @returns the new table's description.
 */
export async function createStringKeyTable(
  client: DynamoDBClient,
  tableName: string,
  keyAttribute: string,
  sortKeyAttribute?: string,
): Promise<TableDescription | undefined> {
  const keys = sortKeyAttribute === undefined ? [keyAttribute] : [keyAttribute, sortKeyAttribute];
  const { TableDescription: table } = await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: keys.map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
      KeySchema: keys.map((name, index) => ({ AttributeName: name, KeyType: index === 0 ? ('HASH' as const) : ('RANGE' as const) })),
    }),
  );
  return table;
}

/** Turns on TTL over the epoch-seconds attribute `attribute`. */
export async function enableTimeToLive(client: DynamoDBClient, tableName: string, attribute: string): Promise<void> {
  await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: attribute, Enabled: true } }));
}

/** A table {@link ensureTable} found or made: its description, and whether this call created it. */
interface EnsuredTable {
  readonly created: boolean;
  readonly table: TableDescription | undefined;
}

// One DescribeTable when the table exists: its answer is all ensureLocalTables needs to know of it.
async function ensureTable(client: DynamoDBClient, tableName: string, keyAttribute: string): Promise<EnsuredTable> {
  const describe = async () => (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  try {
    return { created: false, table: await describe() };
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  try {
    return { created: true, table: await createStringKeyTable(client, tableName, keyAttribute) };
  } catch (error) {
    // Another process created it between our two calls.
    if (error instanceof ResourceInUseException) return { created: false, table: await describe() };
    throw error;
  }
}
