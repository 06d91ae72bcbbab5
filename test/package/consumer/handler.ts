// A consumer's Lambda handler, as a user writes it after `npm install lambda-idempotency @aws-sdk/client-dynamodb @middy/core`.
// It imports only what the consumer installed: event types come from lambda-idempotency's own declarations.
import { randomUUID } from 'node:crypto';
import middy from '@middy/core';
import {
  createDynamoDBStore,
  createOutcomeMetrics,
  createSqsBatchHandler,
  idempotency,
  isIdempotencyError,
  type HttpEvent,
  type SqsRecordHandler,
} from 'lambda-idempotency';

/** The event of the handler: a payment request carrying its own idempotency key. */
export interface PaymentEvent {
  readonly key: string;
  readonly amount: number;
}

let executions = 0;

const store = createDynamoDBStore({
  tableName: process.env.IDEMPOTENCY_TABLE_NAME ?? 'idempotency',
  clientConfig: { endpoint: process.env.DYNAMODB_ENDPOINT, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } },
});

const charge = async (event: PaymentEvent) => {
  executions += 1;
  return { charged: event.amount, paymentId: randomUUID() };
};

// One EMF metrics line per invocation, written to stdout before run-twice.mjs prints its answers.
const metrics = createOutcomeMetrics({ namespace: 'charge' });

/** The handler under test: a replay returns the first answer, so the same `paymentId`. */
export const handler = metrics.wrapHandler(
  middy(charge).use(idempotency<PaymentEvent>({ store, namespace: 'charge', key: (event) => event.key, onOutcome: metrics.onOutcome })),
);

/** How many times the business logic ran in this process. */
export const countExecutions = (): number => executions;

/** Errors keep their class across the package boundary. */
export const isOurError = (error: unknown): boolean => isIdempotencyError(error);

// The declarations carry real Lambda types, not `any`: each line below must be a type error for the build to pass.
const recordHandler: SqsRecordHandler<string> = async (record) => record.body;
export const sqsHandler = createSqsBatchHandler(recordHandler, { store });
// @ts-expect-error an SQS record has no `nope` field
export const wrongField: SqsRecordHandler<string> = async (record) => record.nope;
// @ts-expect-error an HTTP event is an object with headers, not a number
export const notAnEvent: HttpEvent = 42;
