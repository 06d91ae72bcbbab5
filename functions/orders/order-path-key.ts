import type { APIGatewayProxyEvent } from 'aws-lambda';

/** The idempotency key of PUT and DELETE: the order id in the path, so that no `Idempotency-Key` header is needed. */
export const orderIdFromPath = (event: APIGatewayProxyEvent): string | undefined => event.pathParameters?.orderId;
