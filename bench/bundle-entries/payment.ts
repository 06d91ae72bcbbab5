/** The event of the bundled handlers. */
export interface PaymentEvent {
  readonly key: string;
  readonly amount: number;
}

/** The business logic every bundle carries, so the bundles differ only by their idempotency layer. */
export const chargePayment = async (event: PaymentEvent) => ({ statusCode: 201, body: JSON.stringify({ paymentId: event.key, amount: event.amount }) });
