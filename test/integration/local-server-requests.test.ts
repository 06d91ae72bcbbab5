import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { startLocalServer } from '../../lib/local/local-server.js';
import { startTestApi, type TestApi } from '../support/local-server.js';
import { abortMidBody, exchangeRawBytes, sendRawRequest, type RawAnswer } from '../support/raw-http.js';
import { replayHint } from '../support/seed.js';
import { waitFor } from '../support/wait-for.js';

let api: TestApi;
let orderId: string;

beforeAll(async () => {
  api = await startTestApi();
  orderId = String((await api.send('POST', '/order-intents')).body.orderId);
}, 60_000);
afterAll(async () => {
  await api.stop();
});

// The stack's gateway response for MISSING_AUTHENTICATION_TOKEN: problem+json with the CORS headers.
const missingToken = {
  statusCode: 403,
  headers: expect.objectContaining({ 'content-type': 'application/problem+json', 'access-control-allow-origin': '*' }),
  body: expect.stringMatching(
    /^\{"type":"urn:orders-api:gateway:MISSING_AUTHENTICATION_TOKEN","title":"Missing Authentication Token","requestId":"[0-9a-f-]{36}"\}$/,
  ),
};
const get = (path: string) => sendRawRequest(api.server.url, { method: 'GET', path, headers: [], body: Buffer.alloc(0) });
/** Runs `send` and returns its answer with the log lines it added. */
async function withLogLines<TAnswer>(send: () => Promise<TAnswer>): Promise<{ answer: TAnswer; lines: string[] }> {
  const before = api.logLines.length;
  const answer = await send();
  await waitFor(() => api.logLines.length > before);
  return { answer, lines: api.logLines.slice(before) };
}

describe('paths API Gateway REST routes in its own way', () => {
  it('answers GET // with the 403 of a path no resource matches, and logs it', async () => {
    // Act
    const { answer, lines } = await withLogLines(() => get('//'));

    // Assert
    expect(answer).toMatchObject(missingToken);
    expect(lines).toEqual([expect.stringMatching(/^GET \/\/ 403 \d+ ms\n {2}no resource matches this path$/)]);
  });

  it('routes //orders/{id} as /orders/{id}, never as /{id}', async () => {
    // Act
    const answer = await get(`//orders/${orderId}`);

    // Assert
    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ orderId });
  });

  it.each([
    '/orders/x/../{id}',
    '/orders/x/%2e%2e/{id}',
    '/orders/./{id}',
    '/orders//{id}',
    '/orders/{id}//',
    '/orders\\{id}',
    '/order-intents/../orders/{id}',
  ])('never resolves %s into the order, and answers 403', async (template) => {
    expect(await get(template.replace('{id}', orderId))).toMatchObject(missingToken);
  });

  it('answers an unknown path or a method the resource does not have with the same 403, without naming which', async () => {
    expect(await get('/nothing')).toMatchObject(missingToken);
    expect(await sendRawRequest(api.server.url, { method: 'PATCH', path: `/orders/${orderId}`, headers: [], body: Buffer.alloc(0) })).toMatchObject(
      missingToken,
    );
  });
});

describe('the example shop page', () => {
  it("is served at exactly /, /shop.css and /shop.js, for GET only; any other path or method gets the API's 403", async () => {
    // Act
    const served = await Promise.all(['/', '/?from=readme', '/shop.css', '/shop.js'].map(async (path) => ({ path, answer: await get(path) })));
    const refused = await Promise.all(['/index.html', '/shop', '/shop.js/', '//shop.js', '/x/../shop.js', '/functions/routes.ts'].map(get));
    const posted = await sendRawRequest(api.server.url, { method: 'POST', path: '/', headers: [], body: Buffer.alloc(0) });

    // Assert
    expect(served.map(({ path, answer }) => ({ path, status: answer.statusCode, type: answer.headers['content-type'] }))).toEqual([
      { path: '/', status: 200, type: 'text/html; charset=utf-8' },
      { path: '/?from=readme', status: 200, type: 'text/html; charset=utf-8' },
      { path: '/shop.css', status: 200, type: 'text/css; charset=utf-8' },
      { path: '/shop.js', status: 200, type: 'text/javascript; charset=utf-8' },
    ]);
    expect(served[0].answer.body).toContain('<script type="module" src="/shop.js"></script>');
    expect(served[0].answer.headers['content-security-policy']).toBe("default-src 'self'");
    for (const answer of [...refused, posted]) expect(answer).toMatchObject(missingToken);
  });
});

// Request lines a hostile or broken client may send: any method token, any path made of odd segments, any version.
const method = fc.oneof(
  fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND', 'get', 'G ET', ''),
  fc.string({ maxLength: 8 }),
);
const segment = fc.oneof(
  fc.constantFrom('', '.', '..', '%2e%2e', 'orders', 'order-intents', '%', '%zz', '?', '#', '\\', '%00', 'é', '\u0000', '\t'),
  fc.string({ maxLength: 6 }),
);
const path = fc.oneof(
  fc.array(segment, { maxLength: 5 }).map((segments) => `/${segments.join('/')}`),
  fc.constantFrom('*', 'http://a/orders', ''),
  fc.string({ maxLength: 12 }),
);
const version = fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9', '', 'http/1.1');

describe(`any request line, over a raw socket (${replayHint})`, () => {
  it('gets an HTTP answer and exactly one log line', async () => {
    await fc.assert(
      fc.asyncProperty(method, path, version, async (requestMethod, requestPath, requestVersion) => {
        // Act
        const head = `${requestMethod} ${requestPath} ${requestVersion}\r\nHost: local\r\nConnection: close\r\n\r\n`;
        const { answer, lines } = await withLogLines(() => exchangeRawBytes(api.server.url, Buffer.from(head, 'utf8')));

        // Assert
        expect({ head, status: (answer as RawAnswer).statusCode >= 200, lines: lines.length }).toEqual({ head, status: true, lines: 1 });
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});

// Header lines and bodies a hostile or broken client may send: any bytes in names and values, a wrong Content-Length.
const headerText = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('', ' ', ':', '\u0000', '\u007f', 'é', 'Transfer-Encoding', 'Content-Length', 'chunked', '-1', '99999999999'),
);
const headerLines = fc.array(
  fc.tuple(headerText, headerText).map(([name, value]) => `${name}: ${value}`),
  { maxLength: 4 },
);

describe(`any header lines and body on POST /orders, over a raw socket (${replayHint})`, () => {
  it('gets an HTTP answer and a log line', async () => {
    await fc.assert(
      fc.asyncProperty(headerLines, fc.string({ maxLength: 20 }), async (lines, body) => {
        // Act
        const bytes = `POST /orders HTTP/1.1\r\nHost: local\r\nConnection: close\r\n${lines.map((line) => `${line}\r\n`).join('')}\r\n${body}`;
        const { answer, lines: logged } = await withLogLines(() => exchangeRawBytes(api.server.url, Buffer.from(bytes, 'utf8'), { endAfterWrite: true }));

        // Assert
        // Bytes after a complete request (a body without Content-Length) are a request of their own: a line each.
        expect({ bytes, status: (answer as RawAnswer).statusCode >= 200, logged: logged.length >= 1 }).toEqual({ bytes, status: true, logged: true });
      }),
      { numRuns: 100 },
    );
  }, 120_000);
});

describe('requests Node itself refuses or treats apart', () => {
  it('answers headers over 16 KB with 431 and logs it', async () => {
    const { answer, lines } = await withLogLines(() =>
      sendRawRequest(api.server.url, { method: 'GET', path: '/orders/x', headers: [['X-Big', 'a'.repeat(20_000)]], body: Buffer.alloc(0) }),
    );
    expect((answer as RawAnswer).statusCode).toBe(431);
    expect(lines).toEqual([expect.stringMatching(/^GET \/orders\/x 431 \d+ ms\n {2}the request line and headers are over 16 KB/)]);
  });

  it('answers CONNECT with 403 and logs it', async () => {
    const { answer, lines } = await withLogLines(() =>
      exchangeRawBytes(api.server.url, Buffer.from('CONNECT orders:443 HTTP/1.1\r\nHost: orders:443\r\n\r\n')),
    );
    expect(answer).toMatchObject(missingToken);
    expect(lines).toEqual([expect.stringMatching(/^CONNECT orders:443 403 /)]);
  });

  it('serves a request with an Expect header Node does not know, and an Upgrade header, as any other', async () => {
    for (const header of [
      ['Expect', 'something'],
      ['Upgrade', 'websocket'],
    ] as Array<[string, string]>) {
      const headers: Array<[string, string]> = header[0] === 'Upgrade' ? [header, ['Connection', 'Upgrade']] : [header];
      const { answer, lines } = await withLogLines(() =>
        sendRawRequest(api.server.url, { method: 'GET', path: `/orders/${orderId}`, headers, body: Buffer.alloc(0) }),
      );
      expect({ header, status: (answer as RawAnswer).statusCode, lines: lines.length }).toEqual({ header, status: 200, lines: 1 });
    }
  });

  it('logs a request whose client resets the connection in the middle of the body', async () => {
    const { lines } = await withLogLines(() => abortMidBody(api.server.url, 'POST', '/orders'));
    expect(lines).toEqual([expect.stringMatching(/^POST \/orders 400 \d+ ms\n {2}the body was cut short or could not be parsed$/)]);
  });

  it('answers a chunked body HTTP cannot parse with 400, and logs it once', async () => {
    const head = 'POST /orders HTTP/1.1\r\nHost: local\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
    const { answer, lines } = await withLogLines(() => exchangeRawBytes(api.server.url, Buffer.from(`${head}zz\r\n{}\r\n0\r\n\r\n`)));
    expect(answer).toMatchObject({ statusCode: 400, body: expect.stringContaining('"title":"Bad Request"') });
    expect(lines).toEqual([expect.stringMatching(/^POST \/orders 400 \d+ ms\n {2}the body was cut short or could not be parsed$/)]);
  });
});

describe('the integration timeout option', () => {
  it('refuses a value that is not a positive whole number of milliseconds, naming the option', async () => {
    for (const integrationTimeoutMs of [0, -1, 1.5, Number.NaN]) {
      await expect(startLocalServer({ dynamoDBEndpoint: 'http://127.0.0.1:1', port: 0, integrationTimeoutMs })).rejects.toThrow(/integrationTimeoutMs/);
    }
  });
});
