import { connect } from 'node:net';
import type { HttpAnswer } from './http-outcome.js';

/** What came back on one raw connection: the parsed answer, or `statusCode: 0` when the server sent nothing. */
export type RawAnswer = HttpAnswer & { readonly headers: Record<string, string>; readonly body: string };

/**
 * Writes `bytes` on a new connection to `url` as they are, then waits until the server closes it and parses what it
 * sent. With `endAfterWrite`, the client half-closes after writing, as a client that has nothing more to send does.
 */
export async function exchangeRawBytes(url: string, bytes: Buffer, options: { endAfterWrite?: boolean } = {}): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => socket.destroy());
  const closed = new Promise((resolve) => socket.once('close', resolve));
  await new Promise<void>((resolve) => socket.write(bytes, () => resolve()));
  if (options.endAfterWrite === true) socket.end();
  await closed;
  return parseAnswer(Buffer.concat(chunks).toString('utf8'));
}

/**
 * Starts a request with a `Content-Length` body and `Expect: 100-continue`, waits for the server's `100 Continue` (so the
 * server is reading the body), sends half the body and resets the connection.
 */
export async function abortMidBody(url: string, method: string, path: string): Promise<void> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  socket.on('error', () => socket.destroy());
  const closed = new Promise((resolve) => socket.once('close', resolve));
  const continued = new Promise((resolve) => socket.once('data', resolve));
  socket.write(`${method} ${path} HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n`);
  await continued;
  await new Promise<void>((resolve) => socket.write('{"productId":', () => resolve()));
  socket.resetAndDestroy();
  await closed;
}

/**
 * Sends one HTTP/1.1 request as raw bytes, so that header values fetch would refuse (CR LF, control characters,
 * non-ASCII) reach the server as a hostile client would send them. Resolves with the status, headers and body.
 */
export async function sendRawRequest(
  url: string,
  request: { method: string; path: string; headers: ReadonlyArray<[string, string]>; body: Buffer },
): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  const head = [`${request.method} ${request.path} HTTP/1.1`, `Host: ${hostname}:${port}`, 'Connection: close', `Content-Length: ${request.body.length}`];
  for (const [name, value] of request.headers) head.push(`${name}: ${value}`);
  return exchangeRawBytes(url, Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'utf8'), request.body]));
}

function parseAnswer(raw: string): RawAnswer {
  const [headText = '', ...bodyParts] = raw.split('\r\n\r\n');
  const [statusLine = '', ...headerLines] = headText.split('\r\n');
  const headers = Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  const body = bodyParts.join('\r\n\r\n');
  const statusCode = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1];
  return { statusCode: statusCode === undefined ? 0 : Number(statusCode), headers, body: headers['transfer-encoding'] === 'chunked' ? dechunk(body) : body };
}

function dechunk(body: string): string {
  let text = '';
  let rest = body;
  for (;;) {
    const lineEnd = rest.indexOf('\r\n');
    const size = Number.parseInt(rest.slice(0, lineEnd), 16);
    if (!(size > 0)) return text;
    text += rest.slice(lineEnd + 2, lineEnd + 2 + size);
    rest = rest.slice(lineEnd + 2 + size + 2);
  }
}
