import { canonicalJson } from '../canonical-json.js';
import type { ALBEvent, APIGatewayProxyEvent, APIGatewayProxyEventV2, LambdaFunctionURLEvent } from 'aws-lambda';

/** The HTTP events {@link httpIdempotency} reads: API Gateway REST (v1) and HTTP API (v2), Function URLs and ALB. */
export type HttpEvent = APIGatewayProxyEvent | APIGatewayProxyEventV2 | LambdaFunctionURLEvent | ALBEvent;

// The fields of all four shapes, each optional, so one reader serves them all without casts at every use.
interface AnyHttpEvent {
  readonly headers?: Record<string, string | undefined> | null;
  readonly multiValueHeaders?: Record<string, string[] | undefined> | null;
  readonly httpMethod?: string;
  readonly resource?: string;
  readonly path?: string;
  readonly rawPath?: string;
  readonly routeKey?: string;
  readonly rawQueryString?: string;
  readonly queryStringParameters?: Record<string, string | undefined> | null;
  readonly multiValueQueryStringParameters?: Record<string, string[] | undefined> | null;
  readonly body?: unknown;
  readonly isBase64Encoded?: boolean;
  readonly requestContext?: { readonly http?: { readonly method?: string } };
}

const fields = (event: unknown): AnyHttpEvent => (typeof event === 'object' && event !== null ? (event as AnyHttpEvent) : {});

// AWS sends strings (or lists of them); a hand-made or hostile event may hold anything: read as text, never a crash.
const textOf = (value: unknown): string => (typeof value === 'string' ? value : canonicalJson(value));
const textsOf = (value: unknown): string[] => (Array.isArray(value) ? value : [value]).filter((item) => item !== undefined && item !== null).map(textOf);

/**
 * Every value of the header `name`, matched case-insensitively, from `multiValueHeaders` when the event has them
 * (REST with multi-value headers, ALB) and from `headers` otherwise.
 */
export function readHeaderValues(event: unknown, name: string): string[] {
  const wanted = name.toLowerCase();
  const { headers, multiValueHeaders } = fields(event);
  const values: string[] = [];
  for (const [header, list] of Object.entries(multiValueHeaders ?? {})) {
    if (header.toLowerCase() === wanted) values.push(...textsOf(list));
  }
  if (values.length > 0) return values;
  for (const [header, value] of Object.entries(headers ?? {})) {
    if (header.toLowerCase() === wanted) values.push(...textsOf(value));
  }
  return values;
}

/** The request method in upper case, e.g. `POST`. */
export function readMethod(event: unknown): string {
  const { httpMethod, requestContext } = fields(event);
  return textOf(httpMethod ?? requestContext?.http?.method ?? '').toUpperCase();
}

/**
 * The route the request matched: the REST `resource` (`/orders/{orderId}`), the HTTP API route key's path, or the
 * raw path where there is no route (Function URLs, ALB).
 */
export function readResource(event: unknown): string {
  const { resource, routeKey } = fields(event);
  if (resource !== undefined) return textOf(resource);
  if (typeof routeKey === 'string' && routeKey !== '$default') return routeKey.slice(routeKey.indexOf(' ') + 1);
  return readPath(event);
}

/** The path the client asked for, e.g. `/accounts/A/transfers`: never the route template (`/{proxy+}`). */
export function readPath(event: unknown): string {
  const { rawPath, path } = fields(event);
  return textOf(rawPath ?? path ?? '');
}

/**
 * Every query parameter as a `[name, value]` pair, repeated names included, sorted so that parameter order does not
 * matter: from `multiValueQueryStringParameters` (REST, ALB with multi-value headers), else the raw query string
 * (HTTP API and Function URLs, which join repeated values with commas in `queryStringParameters`), else
 * `queryStringParameters`.
 */
export function readQuery(event: unknown): Array<[string, string]> {
  const { multiValueQueryStringParameters, rawQueryString, queryStringParameters } = fields(event);
  const pairs: Array<[string, string]> = [];
  if (multiValueQueryStringParameters != null) {
    for (const [name, values] of Object.entries(multiValueQueryStringParameters)) for (const value of textsOf(values)) pairs.push([name, value]);
  } else if (typeof rawQueryString === 'string') {
    pairs.push(...new URLSearchParams(rawQueryString));
  } else {
    for (const [name, value] of Object.entries(queryStringParameters ?? {})) for (const text of textsOf(value)) pairs.push([name, text]);
  }
  // Plain `<` compares UTF-16 code units: a total order, so equal sets of pairs always sort alike.
  return pairs.sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
}

/** The request body: bytes when it arrived base64-encoded, else the string (or the object a body parser made of it). */
export function readBody(event: unknown): unknown {
  const { body, isBase64Encoded } = fields(event);
  if (isBase64Encoded === true && typeof body === 'string') return new Uint8Array(Buffer.from(body, 'base64'));
  return body ?? undefined;
}
