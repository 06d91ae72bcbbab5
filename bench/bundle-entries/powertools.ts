import middy from '@middy/core';
import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import { chargePayment } from './payment.js';

const persistenceStore = new DynamoDBPersistenceLayer({ tableName: 'idempotency' });

/** The handler made idempotent by Powertools, as its docs show. */
export const handler = middy(chargePayment).use(makeHandlerIdempotent({ persistenceStore, config: new IdempotencyConfig({ eventKeyJmesPath: 'key' }) }));
