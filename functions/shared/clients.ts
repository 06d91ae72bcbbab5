import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { localDynamoDBClientConfig } from '../../lib/local/local-client-config.js';
import { functionEnvironment } from '../routes.js';

const endpoint = process.env[functionEnvironment.dynamoDBEndpoint];

/**
 * The one DynamoDB client of this Lambda sandbox, created at module load so warm invocations reuse its connections.
 * With `DYNAMODB_ENDPOINT` set (DynamoDB Local) it uses the local fake credentials; on AWS, the function's role.
 */
export const dynamoDBClient = new DynamoDBClient(endpoint === undefined || endpoint === '' ? {} : { ...localDynamoDBClientConfig, endpoint });

/** The document client over {@link dynamoDBClient}, for the orders table. */
export const documentClient = DynamoDBDocumentClient.from(dynamoDBClient, { marshallOptions: { removeUndefinedValues: true } });
