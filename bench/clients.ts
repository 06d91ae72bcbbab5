import { Agent } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localDynamoDBClientConfig } from '../lib/local/dynamodb-local.js';

/**
 * A client for the bench's DynamoDB Local with the shared local credentials. Every library gets its own client built
 * here, so both pay the same connection setup; the pool is larger than the SDK's default 50 sockets so concurrency 64
 * measures the libraries rather than a socket queue.
 */
export function createBenchClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    ...localDynamoDBClientConfig,
    endpoint,
    maxAttempts: 1,
    requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: 256 }) },
  });
}
