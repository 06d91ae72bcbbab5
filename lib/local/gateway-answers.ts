import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { gatewayProblemHeaders, invalidOrderProblem, renderGatewayProblem } from '../../functions/shared/gateway-problems.js';

// The stack's gateway responses turn every one of these into the same problem+json, with the CORS headers.
const answer = (statusCode: number, responseType: string, message: string, headers: Record<string, string> = {}): APIGatewayProxyResult => ({
  statusCode,
  headers: { ...gatewayProblemHeaders, ...headers },
  body: renderGatewayProblem({ responseType, message, requestId: randomUUID() }),
});

/**
 * The answers API Gateway REST gives itself, without invoking the function, as the orders stack's gateway responses
 * shape them: the response types are API Gateway's where it has one, DEFAULT_4XX/DEFAULT_5XX otherwise.
 */
export const gatewayAnswers = {
  /** What API Gateway REST answers when no resource and method match: it does not say which one is missing. */
  missingAuthenticationToken: () =>
    answer(403, 'MISSING_AUTHENTICATION_TOKEN', 'Missing Authentication Token', { 'x-amzn-ErrorType': 'MissingAuthenticationTokenException' }),
  /** An order body the request model rejects. */
  invalidOrderBody: (): APIGatewayProxyResult => ({ statusCode: 400, headers: { ...gatewayProblemHeaders }, body: JSON.stringify(invalidOrderProblem) }),
  /** A request HTTP cannot parse, or whose body the client did not finish sending. */
  badRequest: () => answer(400, 'DEFAULT_4XX', 'Bad Request'),
  /** A request line or headers over Node's `maxHeaderSize` (16 KB). */
  headersTooLarge: () => answer(431, 'DEFAULT_4XX', 'Request Header Fields Too Large'),
  /** A request whose headers or body did not arrive within Node's `headersTimeout` / `requestTimeout`. */
  requestTimeout: () => answer(408, 'DEFAULT_4XX', 'Request Timeout'),
  /** A body over API Gateway REST's 10 MB payload limit. */
  requestTooLong: () => answer(413, 'REQUEST_TOO_LARGE', 'Request Too Long'),
  /** The function failed, timed out, or returned something that is not a proxy result. */
  badGateway: () => answer(502, 'DEFAULT_5XX', 'Internal server error'),
  /** The function did not answer within the integration timeout. */
  endpointTimeout: () => answer(504, 'INTEGRATION_TIMEOUT', 'Endpoint request timed out'),
} as const;

/** `result` as the bytes of an HTTP/1.1 response that closes the connection, for a socket with no `ServerResponse`. */
export function toRawHttpResponse(result: APIGatewayProxyResult): Buffer {
  const body = Buffer.from(result.body, 'utf8');
  const head = [`HTTP/1.1 ${result.statusCode} ${STATUS_CODES[result.statusCode] ?? ''}`, 'Connection: close', `Content-Length: ${body.length}`];
  for (const [name, value] of Object.entries(result.headers ?? {})) head.push(`${name}: ${String(value)}`);
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}
