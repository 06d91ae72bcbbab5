import middy from '@middy/core';
import { chargePayment } from './payment.js';

/** The reference bundle: the handler under Middy with no idempotency. */
export const handler = middy(chargePayment);
