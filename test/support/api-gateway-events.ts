import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';

/** The parts of a REST (v1) proxy event a test sets; the rest is filled as API Gateway fills it. */
export interface RestEventParts {
  method?: string;
  resource?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | null;
  isBase64Encoded?: boolean;
  pathParameters?: Record<string, string> | null;
  requestContext?: Partial<APIGatewayProxyEvent['requestContext']>;
}

/** An API Gateway REST (v1) proxy event, `POST /orders` unless told otherwise. */
export function restEvent(parts: RestEventParts = {}): APIGatewayProxyEvent {
  const method = parts.method ?? 'POST';
  const headers = parts.headers ?? {};
  return {
    resource: parts.resource ?? '/orders',
    path: parts.path ?? parts.resource ?? '/orders',
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: parts.pathParameters ?? null,
    stageVariables: null,
    body: parts.body ?? null,
    isBase64Encoded: parts.isBase64Encoded ?? false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'test',
      authorizer: null,
      httpMethod: method,
      path: `/test${parts.path ?? '/orders'}`,
      protocol: 'HTTP/1.1',
      requestId: `req-${Math.random().toString(36).slice(2)}`,
      requestTimeEpoch: 0,
      resourceId: 'test',
      resourcePath: parts.resource ?? '/orders',
      stage: 'test',
      identity: { sourceIp: '127.0.0.1' } as APIGatewayProxyEvent['requestContext']['identity'],
      ...parts.requestContext,
    },
  };
}

/** An HTTP API (v2) event for `routeKey`, with an optional JWT `sub`. */
export function httpApiEvent(parts: { routeKey?: string; headers?: Record<string, string>; body?: string; sub?: string } = {}): APIGatewayProxyEventV2 {
  const routeKey = parts.routeKey ?? 'POST /orders';
  const [method, rawPath] = routeKey.split(' ');
  const authorizer = parts.sub === undefined ? undefined : { jwt: { claims: { sub: parts.sub }, scopes: [] }, principalId: '', integrationLatency: 0 };
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: '',
    headers: parts.headers ?? {},
    body: parts.body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'test',
      domainName: 'test.example',
      domainPrefix: 'test',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
      requestId: `req-${Math.random().toString(36).slice(2)}`,
      routeKey,
      stage: '$default',
      time: '',
      timeEpoch: 0,
      ...(authorizer === undefined ? {} : { authorizer }),
    },
  } as APIGatewayProxyEventV2;
}
