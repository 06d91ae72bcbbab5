import { randomUUID } from 'node:crypto';
import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';

/** A shipment, one per placed order, as stored in the shipments table (partition key `shipmentId`). */
export interface Shipment {
  readonly shipmentId: string;
  readonly orderId: string;
  readonly createdAt: string;
}

/** What fulfilling an order needs; `newId` and `now` are replaceable for tests. */
export interface ShipmentDeps {
  readonly shipmentsTableName: string;
  readonly ordersTableName: string;
  /** @default randomUUID */
  readonly newId?: () => string;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** A shipment, and the writes that store it and mark its order fulfilled, to commit in one transaction. */
export interface ShipmentPlan {
  readonly shipment: Shipment;
  readonly writes: readonly TransactWriteItem[];
}

/** The index, in {@link ShipmentPlan.writes}, of the write whose condition refuses an order that is not placed or already shipped. */
export const orderFulfilmentWriteIndex = 1;

/**
 * Plans the shipment of a placed order under a fresh id: the shipment item, and the order's `shipmentId` and
 * `fulfilledAt`, on condition that the order is still PLACED and has no shipment yet.
 */
export function planShipment(orderId: string, deps: ShipmentDeps): ShipmentPlan {
  const shipment: Shipment = { shipmentId: deps.newId?.() ?? randomUUID(), orderId, createdAt: (deps.now?.() ?? new Date()).toISOString() };
  const putShipment: TransactWriteItem = {
    Put: { TableName: deps.shipmentsTableName, Item: marshall(shipment), ConditionExpression: 'attribute_not_exists(shipmentId)' },
  };
  const markOrder: TransactWriteItem = {
    Update: {
      TableName: deps.ordersTableName,
      Key: marshall({ orderId }),
      UpdateExpression: 'SET shipmentId = :shipmentId, fulfilledAt = :fulfilledAt',
      ConditionExpression: '#status = :placed AND attribute_not_exists(shipmentId)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: marshall({ ':shipmentId': shipment.shipmentId, ':fulfilledAt': shipment.createdAt, ':placed': 'PLACED' }),
    },
  };
  return { shipment, writes: [putShipment, markOrder] };
}
