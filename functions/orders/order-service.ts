import { randomUUID } from 'node:crypto';
import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { OrderNotFoundError, OrderStateError } from './order-errors.js';
import { matchesInput, type Order, type OrderInput } from './order.js';
import type { OrdersRepository } from './orders-repository.js';
import type { OrderPayment } from './order-payment.js';

/** What the order operations need; `newId` and `now` are replaceable for tests. */
export interface OrderDeps {
  readonly orders: OrdersRepository;
  /** @default randomUUID */
  readonly newId?: () => string;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

const timestamp = (deps: OrderDeps) => (deps.now?.() ?? new Date()).toISOString();
const newOrderId = (deps: OrderDeps) => deps.newId?.() ?? randomUUID();

/** An order and the writes that store it, for the handler to commit together with its idempotency record. */
export interface OrderPlan {
  readonly order: Order;
  readonly writes: readonly TransactWriteItem[];
}

/** Plans a new order (`POST /orders`): under a fresh id, or under the id its payment was charged for. */
export function planNewOrder(input: OrderInput, deps: OrderDeps, payment?: OrderPayment): OrderPlan {
  const orderId = payment?.orderId ?? newOrderId(deps);
  const charged = payment === undefined ? {} : { chargeId: payment.chargeId, amountCents: payment.amountCents };
  const order: Order = { orderId, ...input, status: 'PLACED', createdAt: timestamp(deps), ...charged };
  return { order, writes: [deps.orders.insertWrite(order)] };
}

/** Issues an order id to place later with PUT, so that a retried placement can never create a second order. */
export async function createOrderIntent(deps: OrderDeps): Promise<Order> {
  const intent: Order = { orderId: newOrderId(deps), status: 'PENDING' };
  await deps.orders.insert(intent);
  return intent;
}

/**
 * The order with this id.
 * @throws {OrderNotFoundError} when there is none.
 */
export async function findOrder(orderId: string, deps: OrderDeps): Promise<Order> {
  const order = await deps.orders.get(orderId);
  if (order === undefined) throw new OrderNotFoundError(orderId);
  return order;
}

/** Plans placing the order intent `orderId` with `input` (`PUT /orders/{orderId}`); its write only holds on a PENDING order. */
export function planPlacement(orderId: string, input: OrderInput, deps: OrderDeps): OrderPlan {
  const createdAt = timestamp(deps);
  return { order: { orderId, ...input, status: 'PLACED', createdAt }, writes: [deps.orders.placeWrite(orderId, input, createdAt)] };
}

/**
 * Answers a placement whose write was refused, given the order as it was: the same order when it was already placed
 * with this input (its idempotency record had expired), else an error.
 * @throws {OrderNotFoundError} when the id was never issued.
 * @throws {OrderStateError} when the order is cancelled or was placed with other input.
 */
export function resolveRefusedPlacement(orderId: string, input: OrderInput, current: Order | undefined): Order {
  if (current === undefined) throw new OrderNotFoundError(orderId);
  if (current.status === 'PLACED' && matchesInput(current, input)) return current;
  throw new OrderStateError(orderId, current.status, 'placed with this body');
}

/**
 * Cancels a pending or placed order. Cancelling a cancelled order returns it unchanged.
 * @throws {OrderNotFoundError} when there is no such order.
 */
export async function cancelOrder(orderId: string, deps: OrderDeps): Promise<Order> {
  const update = await deps.orders.cancel(orderId, timestamp(deps));
  if (update.kind === 'updated') return update.order;
  if (update.current === undefined) throw new OrderNotFoundError(orderId);
  return update.current;
}
