import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { dynamoDBStoreDefaults } from '../idempotency/index.js';

/** The table names the local API uses. */
export interface LocalTableNames {
  /** @default 'idempotency' */
  readonly idempotencyTableName: string;
  /** @default 'orders' */
  readonly ordersTableName: string;
}

/** The default local table names. */
export const localTableDefaults: LocalTableNames = { idempotencyTableName: 'idempotency', ordersTableName: 'orders' };

/**
 * Creates the idempotency table (key `id`, TTL on `expiration`) and the orders table (key `orderId`) unless they
 * exist, as the CDK stack defines them. Safe to call on every start.
 */
export async function ensureLocalTables(client: DynamoDBClient, names: LocalTableNames): Promise<void> {
  const { keyAttribute, expiryAttribute } = dynamoDBStoreDefaults;
  if (await ensureTable(client, names.idempotencyTableName, keyAttribute)) await enableTimeToLive(client, names.idempotencyTableName, expiryAttribute);
  await ensureTable(client, names.ordersTableName, 'orderId');
}

/** Creates an on-demand table whose partition key is the string attribute `keyAttribute`, with the string sort key `sortKeyAttribute` when given. */
export async function createStringKeyTable(client: DynamoDBClient, tableName: string, keyAttribute: string, sortKeyAttribute?: string): Promise<void> {
  const keys = sortKeyAttribute === undefined ? [keyAttribute] : [keyAttribute, sortKeyAttribute];
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: keys.map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
      KeySchema: keys.map((name, index) => ({ AttributeName: name, KeyType: index === 0 ? ('HASH' as const) : ('RANGE' as const) })),
    }),
  );
}

/** Turns on TTL over the epoch-seconds attribute `attribute`. */
export async function enableTimeToLive(client: DynamoDBClient, tableName: string, attribute: string): Promise<void> {
  await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: attribute, Enabled: true } }));
}

async function ensureTable(client: DynamoDBClient, tableName: string, keyAttribute: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return false;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  try {
    await createStringKeyTable(client, tableName, keyAttribute);
    return true;
  } catch (error) {
    // Another process created it between our two calls.
    if (error instanceof ResourceInUseException) return false;
    throw error;
  }
}
