import { OrderValidationError } from './order-errors.js';

/** Where an order is in its life. PENDING: an id issued by `POST /order-intents`, not yet placed. */
export type OrderStatus = 'PENDING' | 'PLACED' | 'CANCELLED';

/** What a client sends to place an order. */
export interface OrderInput {
  readonly productId: string;
  readonly quantity: number;
  readonly customerId?: string;
}

/** An order as stored in the orders table and returned by the API. */
export interface Order {
  readonly orderId: string;
  readonly status: OrderStatus;
  readonly productId?: string;
  readonly quantity?: number;
  readonly customerId?: string;
  readonly createdAt?: string;
  readonly cancelledAt?: string;
  /** The payment provider's charge, when the order was charged. */
  readonly chargeId?: string;
  readonly amountCents?: number;
}

const isText = (value: unknown, max: number): value is string => typeof value === 'string' && value.length >= 1 && value.length <= max;

/**
 * Checks a parsed JSON body and returns the order input, without unknown fields.
 * @throws {OrderValidationError} naming the field: `productId` 1..64 characters, `quantity` an integer 1..1000, `customerId` optional 1..64 characters.
 * @example
 * ```ts
 * parseOrderInput({ productId: 'p-1', quantity: 2 }); // { productId: 'p-1', quantity: 2 }
 * ```
 */
export function parseOrderInput(body: unknown): OrderInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new OrderValidationError('body', 'The body must be a JSON object');
  const { productId, quantity, customerId } = body as Record<string, unknown>;
  if (!isText(productId, 64)) throw new OrderValidationError('productId', '`productId` must be a string of 1 to 64 characters');
  if (!Number.isInteger(quantity) || (quantity as number) < 1 || (quantity as number) > 1000) {
    throw new OrderValidationError('quantity', '`quantity` must be an integer from 1 to 1000');
  }
  if (customerId !== undefined && !isText(customerId, 64)) throw new OrderValidationError('customerId', '`customerId` must be a string of 1 to 64 characters');
  return customerId === undefined ? { productId, quantity: quantity as number } : { productId, quantity: quantity as number, customerId };
}

/** True when a placed order carries exactly `input`. */
export function matchesInput(order: Order, input: OrderInput): boolean {
  return order.productId === input.productId && order.quantity === input.quantity && order.customerId === input.customerId;
}

/**
 * Parses a raw API Gateway body (base64 when `isBase64Encoded`) as an order input.
 * @throws {OrderValidationError} when it is not JSON (`body`) or not a valid order (the field).
 */
export function parseOrderBody(body: string | null | undefined, isBase64Encoded = false): OrderInput {
  const text = isBase64Encoded && typeof body === 'string' ? Buffer.from(body, 'base64').toString('utf8') : body;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text ?? '');
  } catch {
    throw new OrderValidationError('body', 'The body must be a JSON object');
  }
  return parseOrderInput(parsed);
}
