/** An HTTP request-target split the way the local API routes it. */
export interface RequestTarget {
  /** The path as routed: the received one with its leading run of slashes reduced to one. */
  readonly path: string;
  /** The path's segments when it can name a resource, `undefined` when no resource can match it. */
  readonly segments: readonly string[] | undefined;
  /** What follows the first `?`, undecoded; `undefined` when there is no `?`. */
  readonly query: string | undefined;
}

const isDotSegment = (segment: string) => /^(\.|%2e){1,2}$/i.test(segment);

/**
 * Splits a request-target (`IncomingMessage.url`) without resolving it: a client's path is never rewritten into
 * another resource's path.
 *
 * - `//orders/a` is routed as `/orders/a`: API Gateway ignores extra slashes between the stage and the path.
 * - One trailing slash is ignored, as API Gateway does (`/orders/` is `/orders`).
 * - An empty segment inside the path (`/orders//a`), a dot segment (`.`, `..`, `%2e%2e`) or a target that is not a
 *   path (`*`, `http://host/…`) matches no resource: `/orders/a/../b` is never order `b`.
 * - Backslashes, `#` and percent-escapes stay as received; only path parameters are decoded, after matching.
 */
export function parseRequestTarget(target: string): RequestTarget {
  const queryStart = target.indexOf('?');
  const rawPath = queryStart === -1 ? target : target.slice(0, queryStart);
  const query = queryStart === -1 ? undefined : target.slice(queryStart + 1);
  if (!rawPath.startsWith('/')) return { path: rawPath, segments: undefined, query };
  const path = rawPath.replace(/^\/+/, '/');
  const segments = path.slice(1).split('/');
  if (segments.length > 1 && segments[segments.length - 1] === '') segments.pop();
  if (segments.length === 1 && segments[0] === '') return { path, segments: [], query };
  const routable = segments.every((segment) => segment !== '' && !isDotSegment(segment));
  return { path, segments: routable ? segments : undefined, query };
}
