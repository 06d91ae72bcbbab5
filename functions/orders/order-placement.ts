import type { DynamoDBRecord } from 'aws-lambda';

/**
 * The id of the order a stream record placed, or undefined when the record placed nothing.
 *
 * An order is placed when its status becomes PLACED: an INSERT by `POST /orders`, or a MODIFY from PENDING by
 * `PUT /orders/{orderId}`. Every later change of a placed order (its fulfilment, its cancellation) keeps or drops
 * that status and places nothing, so each order is placed by exactly one stream record.
 */
export function placedOrderId(record: DynamoDBRecord): string | undefined {
  const image = record.dynamodb;
  const placedNow = image?.NewImage?.status?.S === 'PLACED' && image.OldImage?.status?.S !== 'PLACED';
  return placedNow ? image?.Keys?.orderId?.S : undefined;
}
