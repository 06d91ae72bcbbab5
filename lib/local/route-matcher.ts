import type { OrderRoute } from '../../functions/routes.js';

/** The route a request matched with its path parameters, or why none did. */
export type RouteMatch =
  | { readonly kind: 'matched'; readonly route: OrderRoute; readonly pathParameters: Record<string, string> | null }
  | { readonly kind: 'no-route' }
  | { readonly kind: 'method-not-allowed' };

/**
 * Matches a method and the segments of a path (see `parseRequestTarget`; `undefined` matches nothing) against the API
 * Gateway resources of `routes`, as API Gateway does: `{name}` matches one non-empty path segment, and its decoded
 * value becomes a path parameter.
 */
export function matchRoute(routes: readonly OrderRoute[], method: string, segments: readonly string[] | undefined): RouteMatch {
  if (segments === undefined) return { kind: 'no-route' };
  let pathMatched = false;
  for (const route of routes) {
    const pathParameters = matchResource(route.resource, segments);
    if (pathParameters === undefined) continue;
    pathMatched = true;
    if (route.method === method) return { kind: 'matched', route, pathParameters: Object.keys(pathParameters).length > 0 ? pathParameters : null };
  }
  return { kind: pathMatched ? 'method-not-allowed' : 'no-route' };
}

/** True when the path is a resource of the API (the root included), which answers CORS preflights. */
export function isApiResource(routes: readonly OrderRoute[], segments: readonly string[] | undefined): boolean {
  return segments !== undefined && (segments.length === 0 || routes.some((route) => matchResource(route.resource, segments) !== undefined));
}

function matchResource(resource: string, segments: readonly string[]): Record<string, string> | undefined {
  const parts = resource.split('/').filter((part) => part !== '');
  if (parts.length !== segments.length) return undefined;
  const parameters: Record<string, string> = {};
  for (const [index, part] of parts.entries()) {
    const placeholder = /^\{(\w+)\}$/.exec(part);
    if (placeholder !== null) {
      try {
        parameters[placeholder[1]] = decodeURIComponent(segments[index]);
      } catch {
        return undefined;
      }
    } else if (part !== segments[index]) {
      return undefined;
    }
  }
  return parameters;
}
