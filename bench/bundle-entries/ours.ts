import middy from '@middy/core';
import { createDynamoDBStore, idempotency } from 'lambda-idempotency';
import { chargePayment, type PaymentEvent } from './payment.js';

const store = createDynamoDBStore({ tableName: 'idempotency' });

/** The handler made idempotent by this library, as its README shows; the bench resolves the import to the packed package. */
export const handler = middy(chargePayment).use(idempotency<PaymentEvent>({ store, key: (event) => event.key }));
