import middy from '@middy/core';
import { createDynamoDBStore, idempotency } from '../../lib/idempotency/index.js';
import { chargePayment, type PaymentEvent } from './payment.js';

const store = createDynamoDBStore({ tableName: 'idempotency' });

/** The handler made idempotent by this library, as its README shows. */
export const handler = middy(chargePayment).use(idempotency<PaymentEvent>({ store, key: (event) => event.key }));
