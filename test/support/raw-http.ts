import { connect } from 'node:net';
import type { HttpAnswer } from './http-outcome.js';

/**
 * Sends one HTTP/1.1 request as raw bytes, so that header values fetch would refuse (CR LF, control characters,
 * non-ASCII) reach the server as a hostile client would send them. Resolves with the status, headers and body.
 */
export async function sendRawRequest(url: string, request: { method: string; path: string; headers: ReadonlyArray<[string, string]>; body: Buffer }): Promise<HttpAnswer> {
  const { hostname, port } = new URL(url);
  const head = [`${request.method} ${request.path} HTTP/1.1`, `Host: ${hostname}:${port}`, 'Connection: close', `Content-Length: ${request.body.length}`];
  for (const [name, value] of request.headers) head.push(`${name}: ${value}`);
  const socket = connect(Number(port), hostname);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => socket.destroy());
  socket.write(Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'utf8'), request.body]));
  await new Promise((resolve) => socket.once('close', resolve));
  const raw = Buffer.concat(chunks).toString('utf8');
  const [headText = '', ...bodyParts] = raw.split('\r\n\r\n');
  const [statusLine = '', ...headerLines] = headText.split('\r\n');
  const headers = Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  const body = bodyParts.join('\r\n\r\n');
  return { statusCode: Number(statusLine.split(' ')[1] ?? 0), headers, body: headers['transfer-encoding'] === 'chunked' ? dechunk(body) : body };
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
