import { STATUS_CODES } from 'node:http';
import type { APIGatewayProxyResult } from 'aws-lambda';

const answer = (statusCode: number, message: string, headers: Record<string, string> = {}): APIGatewayProxyResult => ({
  statusCode,
  headers: { 'Content-Type': 'application/json', ...headers },
  body: JSON.stringify({ message }),
});

/** The answers API Gateway REST gives itself, without invoking the function, in the shape of a proxy result. */
export const gatewayAnswers = {
  /** What API Gateway REST answers when no resource and method match: it does not say which one is missing. */
  missingAuthenticationToken: () => answer(403, 'Missing Authentication Token', { 'x-amzn-ErrorType': 'MissingAuthenticationTokenException' }),
  /** A request HTTP cannot parse, or whose body the client did not finish sending. */
  badRequest: () => answer(400, 'Bad Request'),
  /** A request line or headers over Node's `maxHeaderSize` (16 KB). */
  headersTooLarge: () => answer(431, 'Request Header Fields Too Large'),
  /** A request whose headers or body did not arrive within Node's `headersTimeout` / `requestTimeout`. */
  requestTimeout: () => answer(408, 'Request Timeout'),
  /** A body over API Gateway REST's 10 MB payload limit. */
  requestTooLong: () => answer(413, 'Request Too Long'),
  /** The function failed, or returned something that is not a proxy result. */
  badGateway: () => answer(502, 'Internal server error'),
  /** The function did not answer within the integration timeout. */
  endpointTimeout: () => answer(504, 'Endpoint request timed out'),
} as const;

/** `result` as the bytes of an HTTP/1.1 response that closes the connection, for a socket with no `ServerResponse`. */
export function toRawHttpResponse(result: APIGatewayProxyResult): Buffer {
  const body = Buffer.from(result.body, 'utf8');
  const head = [`HTTP/1.1 ${result.statusCode} ${STATUS_CODES[result.statusCode] ?? ''}`, 'Connection: close', `Content-Length: ${body.length}`];
  for (const [name, value] of Object.entries(result.headers ?? {})) head.push(`${name}: ${String(value)}`);
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}
