import httpErrorHandler from '@middy/http-error-handler';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { MiddlewareObj } from '@middy/core';
import { dynamoDBOutageResponder } from './dynamodb-outage.js';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

type HttpMiddleware = MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult>;

/**
 * The chain every orders function starts with: headers normalised, a DynamoDB outage answered with 503 and
 * `Retry-After`, then any other unexpected error turned into a 500 without details. `httpIdempotency` comes after
 * these, so its `onError` releases the key before the error becomes an answer.
 */
export function baseMiddlewares(): HttpMiddleware[] {
  return [httpHeaderNormalizer() as HttpMiddleware, httpErrorHandler({ logger: false }) as HttpMiddleware, dynamoDBOutageResponder()];
}
