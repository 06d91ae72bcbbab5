import httpCors from '@middy/http-cors';
import httpErrorHandler from '@middy/http-error-handler';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpSecurityHeaders from '@middy/http-security-headers';
import type { MiddlewareObj } from '@middy/core';
import { dynamoDBOutageResponder } from './dynamodb-outage.js';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

type HttpMiddleware = MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult>;

/**
 * The chain every orders function starts with: headers normalised, CORS for any origin (as the API's preflight
 * allows) and security headers on every answer, a DynamoDB outage answered with 503 and `Retry-After`, then any
 * other unexpected error turned into a 500 without details. `httpIdempotency` comes after these, so its `onError`
 * releases the key before the error becomes an answer, and its replays and refusals get the CORS and security headers.
 */
export function baseMiddlewares(): HttpMiddleware[] {
  return [
    httpHeaderNormalizer() as HttpMiddleware,
    httpCors({ origin: '*', exposeHeaders: 'Idempotent-Replayed, Retry-After, Location' }) as HttpMiddleware,
    httpSecurityHeaders() as HttpMiddleware,
    httpErrorHandler({ logger: false }) as HttpMiddleware,
    dynamoDBOutageResponder(),
  ];
}
