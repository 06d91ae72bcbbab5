import { ConditionalCheckFailedException, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { Order, OrderInput } from './order.js';

/** A conditional update's answer: the order after the write, or the order that blocked it (absent: no such order). */
export type OrderUpdate = { readonly kind: 'updated'; readonly order: Order } | { readonly kind: 'refused'; readonly current?: Order };

/** Reads and writes of the orders table (partition key `orderId`); knows nothing about HTTP. */
export interface OrdersRepository {
  /** Writes a new order; the id must be new. */
  insert(order: Order): Promise<void>;
  get(orderId: string): Promise<Order | undefined>;
  /** The transaction item that writes a new order, for `completeWithTransaction`; the id must be new. */
  insertWrite(order: Order): TransactWriteItem;
  /** The transaction item that moves a PENDING order to PLACED with `input`; a refusal reports the order as it was. */
  placeWrite(orderId: string, input: OrderInput, createdAt: string): TransactWriteItem;
  /** Moves a PENDING or PLACED order to CANCELLED. */
  cancel(orderId: string, cancelledAt: string): Promise<OrderUpdate>;
}

/**
 * The orders table over one document client. Every state change is one conditional write, so two concurrent
 * requests can never both move an order.
 * @example
 * ```ts
 * const orders = createOrdersRepository({ client: documentClient, tableName: 'orders' });
 * ```
 */
export function createOrdersRepository(options: { client: DynamoDBDocumentClient; tableName: string }): OrdersRepository {
  const { client, tableName } = options;
  return {
    insert: async (order) => {
      await client.send(new PutCommand({ TableName: tableName, Item: order, ConditionExpression: 'attribute_not_exists(orderId)' }));
    },
    get: async (orderId) => {
      const answer = await client.send(new GetCommand({ TableName: tableName, Key: { orderId }, ConsistentRead: true }));
      return answer.Item as Order | undefined;
    },
    insertWrite: (order) => ({
      Put: { TableName: tableName, Item: marshall(order, { removeUndefinedValues: true }), ConditionExpression: 'attribute_not_exists(orderId)' },
    }),
    placeWrite: (orderId, input, createdAt) => {
      // An absent customerId is left out of the expression: DynamoDB refuses a placeholder without a value.
      const customer = input.customerId === undefined ? '' : ', customerId = :customerId';
      return {
        Update: {
          TableName: tableName,
          Key: marshall({ orderId }),
          UpdateExpression: `SET #status = :placed, productId = :productId, quantity = :quantity, createdAt = :createdAt${customer}`,
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: marshall(
            {
              ':placed': 'PLACED',
              ':pending': 'PENDING',
              ':productId': input.productId,
              ':quantity': input.quantity,
              ':customerId': input.customerId,
              ':createdAt': createdAt,
            },
            { removeUndefinedValues: true },
          ),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      };
    },
    cancel: (orderId, cancelledAt) =>
      conditionalUpdate(options, orderId, {
        expression: 'SET #status = :cancelled, cancelledAt = :cancelledAt',
        condition: 'attribute_exists(orderId) AND #status <> :cancelled',
        values: { ':cancelled': 'CANCELLED', ':cancelledAt': cancelledAt },
      }),
  };
}

interface OrderUpdateExpression {
  readonly expression: string;
  readonly condition: string;
  readonly values: Record<string, unknown>;
}

async function conditionalUpdate(
  table: { client: DynamoDBDocumentClient; tableName: string },
  orderId: string,
  update: OrderUpdateExpression,
): Promise<OrderUpdate> {
  try {
    const answer = await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: { orderId },
        UpdateExpression: update.expression,
        ConditionExpression: update.condition,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: update.values,
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { kind: 'updated', order: answer.Attributes as Order };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    // The old item arrives in raw attribute-value form even through the document client.
    return { kind: 'refused', current: error.Item === undefined ? undefined : (unmarshall(error.Item) as Order) };
  }
}
