import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { problemResponse } from '../../lib/idempotency/index.js';

// What the AWS SDK throws when DynamoDB is throttling, failing or unreachable: a server fault, a throttle, or a
// network error before any answer (the SDK's metadata then has no HTTP status). A client fault (a validation error)
// is our bug and stays a 500.
const throttlingNames = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded']);
const networkCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND']);

/** True when `error` says DynamoDB could not serve the request right now, so a retry may succeed. */
export function isDynamoDBOutage(error: unknown): boolean {
  // Shape, not instanceof: Node's network errors may come from another realm than this module's Error.
  if (typeof error !== 'object' || error === null) return false;
  const { $fault, $metadata, code, name } = error as { $fault?: string; $metadata?: { httpStatusCode?: number }; code?: string; name?: string };
  const noAnswer = $metadata !== undefined && $metadata.httpStatusCode === undefined && $fault === undefined;
  return $fault === 'server' || throttlingNames.has(name ?? '') || name === 'TimeoutError' || (code !== undefined && networkCodes.has(code)) || noAnswer;
}

/**
 * Answers a DynamoDB outage met by an orders function (its own table reads and writes) with 503 problem+json and
 * `Retry-After`, instead of the 500 that http-error-handler would give. Placed after http-error-handler in `use`
 * order, so its `onError` runs first.
 */
export function dynamoDBOutageResponder(): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    onError: async (request) => {
      if (!isDynamoDBOutage(request.error)) return;
      request.response = problemResponse(
        {
          type: 'urn:orders-api:store-unavailable',
          title: 'Orders store unavailable',
          status: 503,
          detail: 'The orders table could not be reached; retry shortly.',
        },
        { 'Retry-After': '1' },
      ) as APIGatewayProxyResult;
    },
  };
}
