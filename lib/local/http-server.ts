import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { bridgeHttpRequest, type BridgedRequest, type HttpBridge } from './http-bridge.js';
import { gatewayAnswers, toRawHttpResponse } from './gateway-answers.js';

/** Receives one line per request: method, path, status, replayed or not, milliseconds, and why when it failed. */
export type RequestLog = (line: string, request: BridgedRequest & { readonly durationMs: number }) => void;

/**
 * An HTTP server that answers every request through `bridge`, and everything Node's parser refuses (a malformed
 * request line or header, headers over 16 KB, a CONNECT) with the status API Gateway would send, logging one line for
 * each before the answer is written.
 */
export function createBridgeServer(bridge: HttpBridge, log: RequestLog | undefined): Server {
  const logRequest: LogRequest = (startedMs, bridged) => {
    const durationMs = Date.now() - startedMs;
    const failure = bridged.failure === undefined ? '' : `\n  ${bridged.failure}`;
    log?.(`${logSafe(bridged.method)} ${logSafe(bridged.path)} ${bridged.status}${bridged.replayed ? ' replayed' : ''} ${durationMs} ms${failure}`, {
      ...bridged,
      durationMs,
    });
  };
  const serving: Serving = new WeakMap();
  const onRequest = (request: IncomingMessage, response: ServerResponse) => {
    const startedMs = Date.now();
    serving.set(request.socket, { request, response });
    bridgeHttpRequest(bridge, request)
      .catch((error: unknown) => {
        // Not expected: the bridge answers every failure itself. Still, the caller gets an answer and the log a line.
        const failure = `the local server failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
        return {
          answer: gatewayAnswers.badGateway(),
          bridged: { method: request.method ?? '', path: request.url ?? '', status: 502, replayed: false, failure },
        };
      })
      .then(({ answer, bridged }) => {
        logRequest(startedMs, bridged);
        writeAnswer(response, answer);
        serving.delete(request.socket);
      });
  };
  const server = createServer(onRequest);
  // A client that half-closes after its request (it has nothing more to send) still gets its answer.
  (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  // Node answers an unknown `Expect` with a bare 417 by itself; API Gateway serves the request.
  server.on('checkExpectation', onRequest);
  server.on('connect', (request: IncomingMessage, socket: Duplex) => {
    refuse(
      logRequest,
      serving,
      socket,
      Buffer.from(`${request.method} ${request.url}`),
      gatewayAnswers.missingAuthenticationToken(),
      'no resource takes CONNECT',
    );
  });
  server.on('clientError', (error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex) => answerClientError(logRequest, serving, error, socket));
  return server;
}

type LogRequest = (startedMs: number, bridged: BridgedRequest) => void;
// Sockets with a request the bridge is serving: their errors belong to that request, whose line says what happened.
type Serving = WeakMap<Duplex, { readonly request: IncomingMessage; readonly response: ServerResponse }>;

/** Answers what Node's parser refused on `socket` as API Gateway would, and logs it, unless it belongs to a served request. */
function answerClientError(logRequest: LogRequest, serving: Serving, error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex): void {
  // A connection closed before it sent a byte made no request: nothing to answer or log.
  const sentNothing = (error.rawPacket?.length ?? 0) === 0 && !socket.writable;
  const served = serving.get(socket);
  if (served !== undefined && error.code !== 'ECONNRESET') {
    // A body HTTP cannot parse (a bad chunk): answer it here, since its stream never ends; the bridge logs it.
    if (!served.request.complete)
      return void (socket.writable ? socket.end(toRawHttpResponse(gatewayAnswers.badRequest()), () => socket.destroy()) : socket.destroy());
    // Bytes after a complete request: answered and logged once the request before them has its answer.
    return void served.response.once('close', () => refuse(logRequest, serving, socket, error.rawPacket, ...clientErrorAnswer(error.code)));
  }
  if (served !== undefined || sentNothing) return void socket.destroy();
  refuse(logRequest, serving, socket, error.rawPacket, ...clientErrorAnswer(error.code));
}

/** Logs a request the bridge never saw (method and path from the first line of `head`), answers it and closes. */
function refuse(logRequest: LogRequest, serving: Serving, socket: Duplex, head: Buffer | undefined, answer: APIGatewayProxyResult, failure: string): void {
  serving.delete(socket);
  const [method = '', path = ''] = (head ?? Buffer.alloc(0)).toString('latin1').split(/\r?\n/, 1)[0].split(' ');
  logRequest(Date.now(), { method, path, status: answer.statusCode, replayed: false, failure });
  if (socket.writable) socket.end(toRawHttpResponse(answer), () => socket.destroy());
  else socket.destroy();
}

function clientErrorAnswer(code: string | undefined): [APIGatewayProxyResult, string] {
  if (code === 'HPE_HEADER_OVERFLOW') return [gatewayAnswers.headersTooLarge(), 'the request line and headers are over 16 KB (HPE_HEADER_OVERFLOW)'];
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return [gatewayAnswers.requestTimeout(), 'the request did not arrive in time (ERR_HTTP_REQUEST_TIMEOUT)'];
  if (code === 'ECONNRESET') return [gatewayAnswers.badRequest(), 'the client closed the connection mid-request'];
  return [gatewayAnswers.badRequest(), `HTTP cannot parse the request (${code ?? 'unknown error'})`];
}

// Log lines show what the client sent, with control and non-ASCII characters escaped so that a line stays one line.
const logSafe = (text: string) =>
  text === '' ? '-' : text.slice(0, 200).replace(/[^\x21-\x7e]/g, (character) => `\\x${character.charCodeAt(0).toString(16).padStart(2, '0')}`);

function writeAnswer(response: ServerResponse, answer: APIGatewayProxyResult): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(answer.headers ?? {})) headers[name] = String(value);
  for (const [name, values] of Object.entries(answer.multiValueHeaders ?? {})) headers[name] = values.map(String);
  const body = typeof answer.body === 'string' ? Buffer.from(answer.body, answer.isBase64Encoded === true ? 'base64' : 'utf8') : Buffer.alloc(0);
  response.writeHead(answer.statusCode, headers);
  response.end(body);
}
