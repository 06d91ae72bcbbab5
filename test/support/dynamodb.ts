import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { localDynamoDBClientConfig } from '../../lib/local/dynamodb-local.js';

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
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: keyAttribute, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: keyAttribute, KeyType: 'HASH' }],
    }),
  );
  await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: expiryAttribute, Enabled: true } }));
  return tableName;
}

/** Creates a fresh orders table (string key `orderId`, no TTL), for handlers whose writes commit in a transaction, and returns its name. */
export async function createOrdersTable(client: DynamoDBClient): Promise<string> {
  const tableName = `orders-${randomUUID()}`;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'orderId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }],
    }),
  );
  return tableName;
}
