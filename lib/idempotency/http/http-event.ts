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
  readonly body?: unknown;
  readonly isBase64Encoded?: boolean;
  readonly requestContext?: { readonly http?: { readonly method?: string } };
}

const fields = (event: unknown): AnyHttpEvent => (typeof event === 'object' && event !== null ? (event as AnyHttpEvent) : {});

/**
 * Every value of the header `name`, matched case-insensitively, from `multiValueHeaders` when the event has them
 * (REST with multi-value headers, ALB) and from `headers` otherwise.
 */
export function readHeaderValues(event: unknown, name: string): string[] {
  const wanted = name.toLowerCase();
  const { headers, multiValueHeaders } = fields(event);
  const values: string[] = [];
  for (const [header, list] of Object.entries(multiValueHeaders ?? {})) {
    if (header.toLowerCase() === wanted && list !== undefined) values.push(...list);
  }
  if (values.length > 0) return values;
  for (const [header, value] of Object.entries(headers ?? {})) {
    if (header.toLowerCase() === wanted && value !== undefined) values.push(value);
  }
  return values;
}

/** The request method in upper case, e.g. `POST`. */
export function readMethod(event: unknown): string {
  const { httpMethod, requestContext } = fields(event);
  return (httpMethod ?? requestContext?.http?.method ?? '').toUpperCase();
}

/**
 * The route the request matched: the REST `resource` (`/orders/{orderId}`), the HTTP API route key's path, or the
 * raw path where there is no route (Function URLs, ALB).
 */
export function readResource(event: unknown): string {
  const { resource, routeKey, rawPath, path } = fields(event);
  if (resource !== undefined) return resource;
  if (routeKey !== undefined && routeKey !== '$default') return routeKey.slice(routeKey.indexOf(' ') + 1);
  return rawPath ?? path ?? '';
}

/** The request body: bytes when it arrived base64-encoded, else the string (or the object a body parser made of it). */
export function readBody(event: unknown): unknown {
  const { body, isBase64Encoded } = fields(event);
  if (isBase64Encoded === true && typeof body === 'string') return new Uint8Array(Buffer.from(body, 'base64'));
  return body ?? undefined;
}
