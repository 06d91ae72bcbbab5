import type { OrderStatus } from './order.js';

/** The request body is not a valid order; `field` names the first offending field. Answered with 400. */
export class OrderValidationError extends Error {
  override readonly name = 'OrderValidationError' as const;
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

/** No order (or order intent) has this id. Answered with 404. */
export class OrderNotFoundError extends Error {
  override readonly name = 'OrderNotFoundError' as const;
  constructor(orderId: string) {
    super(`No order has the id ${orderId}`);
  }
}

/** The order is not in a state that allows the request, e.g. placing a cancelled order. Answered with 409. */
export class OrderStateError extends Error {
  override readonly name = 'OrderStateError' as const;
  readonly status: OrderStatus;
  constructor(orderId: string, status: OrderStatus, action: string) {
    super(`Order ${orderId} is ${status} and cannot be ${action}`);
    this.status = status;
  }
}
