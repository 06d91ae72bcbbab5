import { DynamoDBClient, type AttributeValue, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { localDynamoDBClientConfig } from '../../lib/local/local-client-config.js';
import { createStringKeyTable, enableTimeToLive } from '../../lib/local/local-tables.js';
import { recordKey } from '../../lib/idempotency/store/dynamodb-table-key.js';

/** The endpoint of the DynamoDB Local that global-setup started. */
export function dynamoDBEndpoint(): string {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (endpoint === undefined) throw new Error('DYNAMODB_ENDPOINT is not set: run the tests through jest, whose global setup starts DynamoDB Local');
  return endpoint;
}

/** A client for the test DynamoDB Local, with the shared fake credentials. */
export function createTestClient(overrides: Partial<DynamoDBClientConfig> = {}): DynamoDBClient {
  return new DynamoDBClient({ ...localDynamoDBClientConfig, endpoint: dynamoDBEndpoint(), ...overrides });
}

/** Creates a fresh idempotency table (string key `id`, TTL on `expiration` unless renamed; a string sort key when named) and returns its name. */
export async function createIdempotencyTable(
  client: DynamoDBClient,
  keyAttribute = 'id',
  expiryAttribute = 'expiration',
  sortKeyAttribute?: string,
): Promise<string> {
  const tableName = `idempotency-${randomUUID()}`;
  await createStringKeyTable(client, tableName, keyAttribute, sortKeyAttribute);
  await enableTimeToLive(client, tableName, expiryAttribute);
  return tableName;
}

/** Creates a fresh orders table (string key `orderId`, no TTL) and returns its name. */
export async function createOrdersTable(client: DynamoDBClient): Promise<string> {
  const tableName = `orders-${randomUUID()}`;
  await createStringKeyTable(client, tableName, 'orderId');
  return tableName;
}

/** How an idempotency table is keyed: the options that point a store at it. */
export interface TableLayout {
  readonly keyAttribute: string;
  readonly sortKeyAttribute?: string;
}

/** The two table layouts every DynamoDB store test runs on: the IdempotencyTable's own, and a single-table design's. */
export const tableLayouts: Array<[string, TableLayout]> = [
  ['partition key', { keyAttribute: 'id' }],
  ['partition and sort key', { keyAttribute: 'pk', sortKeyAttribute: 'sk' }],
];

/** Creates a fresh idempotency table in `layout` (TTL on `expiration`) and returns its name. */
export function createLayoutTable(client: DynamoDBClient, layout: TableLayout): Promise<string> {
  return createIdempotencyTable(client, layout.keyAttribute, 'expiration', layout.sortKeyAttribute);
}

/** The key of record `id` in a table of `layout`, for reading or changing its item directly. */
export function layoutKey(id: string, layout: TableLayout): Record<string, AttributeValue> {
  return recordKey(id, { key: layout.keyAttribute, sortKey: layout.sortKeyAttribute });
}
