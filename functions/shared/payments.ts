import { functionEnvironment } from '../routes.js';

/** What one unit of any product costs in the example orders API, in cents. */
export const unitPriceCents = 1250;

/** The payment provider's base URL, read once at cold start; `undefined` (unset or empty) places orders without a charge. */
export const paymentProviderUrl: string | undefined = process.env[functionEnvironment.paymentProviderUrl] || undefined;

/** A charge as the payment provider answers it. */
export interface PaymentCharge {
  readonly chargeId: string;
  readonly order: string;
  readonly amountCents: number;
}

/** The provider refused or failed a charge; `status` is its HTTP status. */
export class PaymentFailedError extends Error {
  override readonly name = 'PaymentFailedError' as const;
  readonly status: number;
  constructor(status: number) {
    super(`The payment provider answered ${status}`);
    this.status = status;
  }
}

/**
 * Charges `amountCents` for `order` at the provider behind `providerUrl`, sending `idempotencyKey` so that a retry
 * with the same key is answered with the same charge instead of a second one.
 * @throws {PaymentFailedError} when the provider answers anything but 200 or 201.
 * @example
 * ```ts
 * const charge = await chargePayment('http://127.0.0.1:4000', 'key-1', { order: 'o-1', amountCents: 1250 });
 * ```
 */
export async function chargePayment(providerUrl: string, idempotencyKey: string, charge: { order: string; amountCents: number }): Promise<PaymentCharge> {
  const response = await fetch(new URL('/charges', providerUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
    body: JSON.stringify({ order: charge.order, amountCents: charge.amountCents }),
  });
  if (response.status !== 200 && response.status !== 201) throw new PaymentFailedError(response.status);
  return (await response.json()) as PaymentCharge;
}
