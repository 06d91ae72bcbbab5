import { randomUUID } from 'node:crypto';
import { OrderNotFoundError, OrderStateError } from './order-errors.js';
import { matchesInput, type Order, type OrderInput } from './order.js';
import type { OrdersRepository } from './orders-repository.js';

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

/** Places a new order under a fresh id (`POST /orders`). */
export async function createOrder(input: OrderInput, deps: OrderDeps): Promise<Order> {
  const order: Order = { orderId: newOrderId(deps), ...input, status: 'PLACED', createdAt: timestamp(deps) };
  await deps.orders.insert(order);
  return order;
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

/**
 * Places an order intent with `input`. Placing an already placed order with the same input returns it unchanged.
 * @throws {OrderNotFoundError} when the id was never issued.
 * @throws {OrderStateError} when the order is cancelled or was placed with other input.
 */
export async function placeOrder(orderId: string, input: OrderInput, deps: OrderDeps): Promise<Order> {
  const update = await deps.orders.place(orderId, input, timestamp(deps));
  if (update.kind === 'updated') return update.order;
  if (update.current === undefined) throw new OrderNotFoundError(orderId);
  if (update.current.status === 'PLACED' && matchesInput(update.current, input)) return update.current;
  throw new OrderStateError(orderId, update.current.status, 'placed with this body');
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
