import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { OrderRoute } from '../../functions/routes.js';
import { toApiGatewayEvent } from './api-gateway-event.js';
import { gatewayAnswers } from './gateway-answers.js';
import { invokeWithin } from './handler-invocation.js';
import { createInvocationContext } from './invocation-context.js';
import { parseRequestTarget } from './request-target.js';
import { answerShopPage } from './shop-page.js';
import { isApiResource, matchRoute } from './route-matcher.js';
import { createModelCheck, type ModelSchema } from './request-model.js';
import { orderBodySchema } from '../../functions/orders/order-schema.js';
import { preflightHeaders } from '../../functions/shared/cors.js';

/** A Lambda handler as the functions export it. */
export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<unknown>;

/** What {@link bridgeHttpRequest} needs: the routes, their loaded handlers and the two timeouts. */
export interface HttpBridge {
  readonly routes: readonly OrderRoute[];
  readonly handlers: ReadonlyMap<string, ProxyHandler>;
  /** The Lambda timeout: the context's remaining time counts down from it, and past it the caller gets a 502. */
  readonly functionTimeoutMs: number;
  /** API Gateway's integration timeout: past it the caller gets a 504 while the handler keeps running. */
  readonly integrationTimeoutMs: number;
}

/** What one request turned into, for the log line. */
export interface BridgedRequest {
  readonly method: string;
  /** The request's path as received, without the query string. */
  readonly path: string;
  readonly status: number;
  readonly replayed: boolean;
  /** Why the request got no answer from a handler (no route, a timeout, a handler failure...), when it did not. */
  readonly failure?: string;
}

/** A request's answer, already checked to be sendable, with what the log line says about it. */
export interface BridgedAnswer {
  readonly answer: APIGatewayProxyResult;
  readonly bridged: BridgedRequest;
}

/**
 * Serves one HTTP request the way API Gateway REST would: routes it by `routes`, turns it into a proxy event, invokes
 * the route's handler with a Lambda-like context and returns the proxy result to write back. Never rejects: an
 * unknown route or method gets API Gateway's 403, a preflight on a resource the stack's 204 with the CORS headers, an
 * order body the model rejects the stack's 400, an aborted body a 400, a handler that throws, outlives its Lambda
 * timeout or returns something that is not a sendable proxy result a 502, and one still running after
 * `integrationTimeoutMs` a 504. A `GET` of one of the example shop page's files, which the stack does not serve, gets
 * that file (see `answerShopPage`).
 */
export async function bridgeHttpRequest(bridge: HttpBridge, request: IncomingMessage): Promise<BridgedAnswer> {
  const method = request.method ?? 'GET';
  const target = parseRequestTarget(request.url ?? '/');
  const path = (request.url ?? '/').split('?')[0];
  const page = await answerShopPage(method, path);
  const { answer, failure } = page === undefined ? await answerRequest(bridge, request, method, target.segments) : { answer: page };
  const replayed = Object.entries(answer.headers ?? {}).some(([name, value]) => name.toLowerCase() === 'idempotent-replayed' && String(value) === 'true');
  return { answer, bridged: { method, path, status: answer.statusCode, replayed, ...(failure === undefined ? {} : { failure }) } };
}

async function answerRequest(
  bridge: HttpBridge,
  request: IncomingMessage,
  method: string,
  segments: readonly string[] | undefined,
): Promise<{ answer: APIGatewayProxyResult; failure?: string }> {
  // The stack's mock integration answers preflights on every resource, root included, without a function.
  if (method === 'OPTIONS' && isApiResource(bridge.routes, segments)) return { answer: { statusCode: 204, headers: { ...preflightHeaders }, body: '' } };
  const match = matchRoute(bridge.routes, method, segments);
  if (match.kind === 'no-route') return { answer: gatewayAnswers.missingAuthenticationToken(), failure: 'no resource matches this path' };
  if (match.kind === 'method-not-allowed') return { answer: gatewayAnswers.missingAuthenticationToken(), failure: `the resource has no ${method} method` };
  const body = await readBody(request);
  if (body === 'too-large') return { answer: gatewayAnswers.requestTooLong(), failure: 'the body is over 10 MB' };
  if (body === 'aborted') return { answer: gatewayAnswers.badRequest(), failure: 'the body was cut short or could not be parsed' };
  if (match.route.requestBody === 'order' && validatesAsJson(request.headers['content-type']) && !isValidOrderBody(body.toString('utf8'))) {
    return { answer: gatewayAnswers.invalidOrderBody(), failure: 'the body does not match the order model' };
  }
  const requestId = randomUUID();
  const event = toApiGatewayEvent(
    { method, url: request.url ?? '/', rawHeaders: request.rawHeaders, body, sourceIp: request.socket.remoteAddress ?? '127.0.0.1' },
    { resource: match.route.resource, pathParameters: match.pathParameters, requestId, stage: 'local' },
  );
  const context = createInvocationContext({ functionName: match.route.name, requestId, timeoutMs: bridge.functionTimeoutMs });
  return invokeWithin(() => bridge.handlers.get(match.route.name)?.(event, context), bridge);
}

const isValidOrderBody = createModelCheck(orderBodySchema as ModelSchema);

// The stack's model is for application/json; API Gateway also picks it for a request without a Content-Type.
const validatesAsJson = (contentType: string | undefined) => contentType === undefined || /^application\/json\s*(;|$)/i.test(contentType);

// API Gateway REST refuses payloads over 10 MB.
const maxBodyBytes = 10 * 1024 * 1024;

async function readBody(request: IncomingMessage): Promise<Buffer | 'too-large' | 'aborted'> {
  if (Number(request.headers['content-length']) > maxBodyBytes) return 'too-large';
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of request) {
      size += (chunk as Buffer).length;
      if (size > maxBodyBytes) return 'too-large';
      chunks.push(chunk as Buffer);
    }
  } catch {
    // The client closed the connection before the end of the body, or sent a body HTTP cannot parse.
    return 'aborted';
  }
  return request.complete ? Buffer.concat(chunks) : 'aborted';
}
