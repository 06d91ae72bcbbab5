import type { APIGatewayProxyEvent } from 'aws-lambda';

/**
 * The `Location` of an order, as a path the client can follow from where it called.
 *
 * API Gateway's `event.path` is the resource path, without what is in front of it in the URL: the stage on the
 * execute-api domain (`/prod`), a base path mapping on a custom domain. `requestContext.path` is the path as the client
 * sent it, so whatever it has in front of `event.path` is kept: `/prod/orders/o-1` on execute-api, `/orders/o-1`
 * behind a custom domain without a base path and on `npm start`.
 */
export function orderLocation(event: Pick<APIGatewayProxyEvent, 'path' | 'requestContext'>, orderId: string): string {
  const requestedPath = event.requestContext?.path ?? event.path;
  const prefix = requestedPath.endsWith(event.path) ? requestedPath.slice(0, requestedPath.length - event.path.length) : '';
  return `${prefix.replace(/\/+$/, '')}/orders/${encodeURIComponent(orderId)}`;
}
