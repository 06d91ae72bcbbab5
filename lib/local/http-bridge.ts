import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { OrderRoute } from '../../functions/routes.js';
import { toApiGatewayEvent } from './api-gateway-event.js';
import { createInvocationContext } from './invocation-context.js';
import { matchRoute } from './route-matcher.js';

/** A Lambda handler as the functions export it. */
export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<unknown>;

/** What {@link handleHttpRequest} needs: the routes, their loaded handlers and the per-invocation timeout. */
export interface HttpBridge {
  readonly routes: readonly OrderRoute[];
  readonly handlers: ReadonlyMap<string, ProxyHandler>;
  readonly functionTimeoutMs: number;
}

/** What one request turned into, for the log line. */
export interface BridgedRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly replayed: boolean;
  /** What the handler threw, or why its answer was refused, when the request got a 502. */
  readonly failure?: string;
}

// API Gateway REST refuses payloads over 10 MB.
const maxBodyBytes = 10 * 1024 * 1024;

const plain = (statusCode: number, message: string): APIGatewayProxyResult => ({ statusCode, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ message }) });

/**
 * Serves one HTTP request the way API Gateway REST would: routes it by `routes`, turns it into a proxy event, invokes
 * the route's handler with a Lambda-like context, and writes the proxy result back. A handler that throws or returns
 * something that is not a proxy result gets API Gateway's 502.
 */
export async function handleHttpRequest(bridge: HttpBridge, request: IncomingMessage, response: ServerResponse): Promise<BridgedRequest> {
  const method = request.method ?? 'GET';
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  const { result, failure } = await invokeRoute(bridge, request, method, path);
  writeResult(response, result);
  const replayed = Object.entries(result.headers ?? {}).some(([name, value]) => name.toLowerCase() === 'idempotent-replayed' && String(value) === 'true');
  return { method, path, status: result.statusCode, replayed, ...(failure === undefined ? {} : { failure }) };
}

async function invokeRoute(bridge: HttpBridge, request: IncomingMessage, method: string, path: string): Promise<{ result: APIGatewayProxyResult; failure?: string }> {
  const match = matchRoute(bridge.routes, method, path);
  if (match.kind === 'no-route') return { result: plain(404, `No route for ${path}`) };
  if (match.kind === 'method-not-allowed') return { result: plain(405, `${method} is not allowed on ${path}`) };
  const body = await readBody(request);
  if (body === undefined) return { result: plain(413, 'Request too long') };
  const requestId = randomUUID();
  const event = toApiGatewayEvent(
    { method, url: request.url ?? '/', rawHeaders: request.rawHeaders, body, sourceIp: request.socket.remoteAddress ?? '127.0.0.1' },
    { resource: match.route.resource, pathParameters: match.pathParameters, requestId, stage: 'local' },
  );
  const context = createInvocationContext({ functionName: match.route.name, requestId, timeoutMs: bridge.functionTimeoutMs });
  try {
    const result = await bridge.handlers.get(match.route.name)?.(event, context);
    return isProxyResult(result) ? { result } : { result: plain(502, 'Internal server error'), failure: 'the handler returned no proxy result' };
  } catch (error) {
    return { result: plain(502, 'Internal server error'), failure: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
}

const isProxyResult = (value: unknown): value is APIGatewayProxyResult =>
  typeof value === 'object' && value !== null && Number.isInteger((value as APIGatewayProxyResult).statusCode);

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function writeResult(response: ServerResponse, result: APIGatewayProxyResult): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) headers[name] = values.map(String);
  const body = result.body === undefined ? Buffer.alloc(0) : Buffer.from(result.body, result.isBase64Encoded === true ? 'base64' : 'utf8');
  response.writeHead(result.statusCode, headers);
  response.end(body);
}
