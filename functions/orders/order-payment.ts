import type { Context } from 'aws-lambda';
import { step } from '../../lib/idempotency/index.js';
import { chargePayment, unitPriceCents } from '../shared/payments.js';
import type { OrderInput } from './order.js';

/** A new order's payment: the id the order is placed under and the provider's charge for it. */
export interface OrderPayment {
  readonly orderId: string;
  readonly chargeId: string;
  readonly amountCents: number;
}

/**
 * Charges a new order at the provider once per idempotency key, as the step `charge`: the provider gets the step's
 * derived key, and every later attempt of the request (after a crash, a timeout or an error that released the key)
 * gets the stored payment back without calling the provider.
 * @throws {PaymentFailedError} when the provider refuses the charge; nothing is stored and a retry charges again.
 */
export function chargeNewOrder(context: Context, providerUrl: string, input: OrderInput): Promise<OrderPayment> {
  return step(context, 'charge', async ({ idempotencyKey }) => {
    // The order id comes from the step's key, not a random draw: a retry that must call the provider again (it died
    // between the charge and its checkpoint) sends the same body with the same key, which the provider answers once.
    const orderId = orderIdFromKey(idempotencyKey);
    const amountCents = input.quantity * unitPriceCents;
    const charge = await chargePayment(providerUrl, idempotencyKey, { order: orderId, amountCents });
    return { orderId, chargeId: charge.chargeId, amountCents };
  });
}

/** A UUID-shaped order id from the first 128 bits of a hex step key. */
export function orderIdFromKey(idempotencyKey: string): string {
  const hex = idempotencyKey.slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
