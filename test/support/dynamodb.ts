import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { localDynamoDBClientConfig } from '../../lib/local/local-client-config.js';
import { createStringKeyTable, enableTimeToLive } from '../../lib/local/local-tables.js';

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

/** Creates a fresh idempotency table (string key `id`, TTL on `expiration` unless renamed) and returns its name. */
export async function createIdempotencyTable(client: DynamoDBClient, keyAttribute = 'id', expiryAttribute = 'expiration'): Promise<string> {
  const tableName = `idempotency-${randomUUID()}`;
  await createStringKeyTable(client, tableName, keyAttribute);
  await enableTimeToLive(client, tableName, expiryAttribute);
  return tableName;
}

/** Creates a fresh orders table (string key `orderId`, no TTL) and returns its name. */
export async function createOrdersTable(client: DynamoDBClient): Promise<string> {
  const tableName = `orders-${randomUUID()}`;
  await createStringKeyTable(client, tableName, 'orderId');
  return tableName;
}
