import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyResult } from 'aws-lambda';

const shopDirectory = new URL('../../shop/', import.meta.url);

// The page's three files, by the exact path a browser asks for: nothing else of the folder is served.
const shopFiles: ReadonlyMap<string, { readonly file: string; readonly contentType: string }> = new Map([
  ['/', { file: 'index.html', contentType: 'text/html; charset=utf-8' }],
  ['/shop.css', { file: 'shop.css', contentType: 'text/css; charset=utf-8' }],
  ['/shop.js', { file: 'shop.js', contentType: 'text/javascript; charset=utf-8' }],
]);

/**
 * The example shop page (`shop/`) for a `GET` of `/`, `/shop.css` or `/shop.js`, exactly as received (query string
 * aside), or `undefined` for any other request, which the API answers. Only the local server serves the page; it
 * calls the API on its own origin.
 *
 * The files are read on each request, so an edited page shows on reload, and sent with `Cache-Control: no-store` and
 * a Content-Security-Policy that allows nothing but the page's own origin.
 */
export async function answerShopPage(method: string, path: string): Promise<APIGatewayProxyResult | undefined> {
  const shopFile = method === 'GET' ? shopFiles.get(path) : undefined;
  if (shopFile === undefined) return undefined;
  const body = await readFile(fileURLToPath(new URL(shopFile.file, shopDirectory)), 'utf8');
  return {
    statusCode: 200,
    headers: {
      'Content-Type': shopFile.contentType,
      'Cache-Control': 'no-store',
      'Content-Security-Policy': "default-src 'self'",
      'X-Content-Type-Options': 'nosniff',
    },
    body,
  };
}
