import type { APIGatewayProxyEvent } from 'aws-lambda';
import { parseRequestTarget } from './request-target.js';

/** One HTTP request as the local server received it. */
export interface LocalHttpRequest {
  readonly method: string;
  /** The path and query string, e.g. `/orders?x=1`. */
  readonly url: string;
  /** `IncomingMessage.rawHeaders`: names and values alternating, with duplicates and original case. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly sourceIp: string;
}

/** What routing found out about the request. */
export interface LocalRouteInfo {
  readonly resource: string;
  readonly pathParameters: Record<string, string> | null;
  readonly requestId: string;
  readonly stage: string;
}

const groupValues = (pairs: Array<[string, string]>) => {
  const grouped: Record<string, string[]> = {};
  for (const [name, value] of pairs) (grouped[name] ??= []).push(value);
  return grouped;
};
// API Gateway's single-value maps keep the last value of a repeated name.
const lastValues = (grouped: Record<string, string[]>) =>
  Object.fromEntries(Object.entries(grouped).map(([name, values]) => [name, values[values.length - 1]]));

/**
 * Builds the API Gateway REST (v1) proxy event AWS would send for `request`: headers and multiValueHeaders in the
 * client's case, query strings both ways, path parameters, a request context with a request id and the caller's
 * source IP and user agent, and the body as text. Like the stack's API, it knows no API keys and no authorizer, so an
 * `x-api-key` header is only a header, as it is on AWS.
 */
export function toApiGatewayEvent(request: LocalHttpRequest, route: LocalRouteInfo): APIGatewayProxyEvent {
  const headerPairs: Array<[string, string]> = [];
  for (let index = 0; index + 1 < request.rawHeaders.length; index += 2) headerPairs.push([request.rawHeaders[index], request.rawHeaders[index + 1]]);
  const multiValueHeaders = groupValues(headerPairs);
  const headers = lastValues(multiValueHeaders);
  const { path, query } = parseRequestTarget(request.url);
  const multiValueQuery = groupValues([...new URLSearchParams(query ?? '').entries()]);
  return {
    resource: route.resource,
    path,
    httpMethod: request.method,
    headers,
    multiValueHeaders,
    queryStringParameters: query === undefined || query === '' ? null : lastValues(multiValueQuery),
    multiValueQueryStringParameters: query === undefined || query === '' ? null : multiValueQuery,
    pathParameters: route.pathParameters,
    stageVariables: null,
    // The stack sets no binary media types, so API Gateway passes every body as text.
    body: request.body.length === 0 ? null : request.body.toString('utf8'),
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: null,
      httpMethod: request.method,
      // The path as the client sent it, as API Gateway reports it on a custom domain served at its root: the local
      // server has no stage in its URLs, so links built from it (Location) are right locally.
      path,
      protocol: 'HTTP/1.1',
      requestId: route.requestId,
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: route.resource,
      stage: route.stage,
      identity: localIdentity(request.sourceIp, headers['User-Agent'] ?? headers['user-agent'] ?? null),
    },
  };
}

// The stack has no authorizer and no API keys: API Gateway reports only the source IP and user agent.
function localIdentity(sourceIp: string, userAgent: string | null): APIGatewayProxyEvent['requestContext']['identity'] {
  return {
    accessKey: null,
    accountId: null,
    apiKey: null,
    apiKeyId: null,
    caller: null,
    clientCert: null,
    cognitoAuthenticationProvider: null,
    cognitoAuthenticationType: null,
    cognitoIdentityId: null,
    cognitoIdentityPoolId: null,
    principalOrgId: null,
    sourceIp,
    user: null,
    userAgent,
    userArn: null,
  };
}
