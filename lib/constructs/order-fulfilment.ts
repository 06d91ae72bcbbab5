import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption, type ITable } from 'aws-cdk-lib/aws-dynamodb';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { fulfilOrderFunction, functionEnvironment, orderFunctionTimeoutSeconds } from '../../functions/routes.js';
import type { IdempotencyTable } from './idempotency-table.js';
import { NodeFunction } from './node-function.js';

/** Props of {@link OrderFulfilment}. */
export interface OrderFulfilmentProps {
  /** The orders table; it must have a stream of new and old images. */
  readonly ordersTable: ITable;
  readonly idempotencyTable: IdempotencyTable;
}

/** The default values of the stream event source of {@link OrderFulfilment}. */
export const orderFulfilmentDefaults = {
  batchSize: fulfilOrderFunction.batchSize,
  retryAttempts: fulfilOrderFunction.retryAttempts,
  // A record older than this goes to the dead-letter queue rather than hold its shard back any longer.
  maxRecordAge: Duration.hours(1),
  // As long as SQS keeps anything: time to look at a failed batch and replay it.
  deadLetterRetention: Duration.days(14),
} as const;

/**
 * The asynchronous step of the orders example: the orders table's stream feeds the `fulfil-order` function, which
 * ships each placed order once, and the shipments table it writes.
 *
 * The event source reports partial batch failures, bisects a failing batch, retries it a bounded number of times and
 * then sends its description to an encrypted SQS dead-letter queue. The function may only update orders, put
 * shipments, use the idempotency table's item actions, read the stream (granted by the event source) and send to
 * the dead-letter queue.
 * @example
 * ```ts
 * new OrderFulfilment(stack, 'Fulfilment', { ordersTable, idempotencyTable });
 * ```
 */
export class OrderFulfilment extends Construct {
  readonly shipmentsTable: Table;
  readonly function: NodeFunction;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: OrderFulfilmentProps) {
    super(scope, id);
    this.shipmentsTable = new Table(this, 'ShipmentsTable', {
      partitionKey: { name: 'shipmentId', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      // Demo data, as the orders table's.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: orderFulfilmentDefaults.deadLetterRetention,
    });
    this.function = new NodeFunction(this, fulfilOrderFunction.name, {
      entry: fileURLToPath(new URL(`../../functions/${fulfilOrderFunction.entry}`, import.meta.url)),
      // The timeout npm start's stream reader gives fulfil-order too.
      timeout: Duration.seconds(orderFunctionTimeoutSeconds),
      environment: {
        [functionEnvironment.ordersTableName]: props.ordersTable.tableName,
        [functionEnvironment.shipmentsTableName]: this.shipmentsTable.tableName,
      },
    });
    props.ordersTable.grant(this.function, 'dynamodb:UpdateItem');
    this.shipmentsTable.grant(this.function, 'dynamodb:PutItem');
    props.idempotencyTable.grantTo(this.function, functionEnvironment.idempotencyTableName);
    this.function.addEventSource(
      new DynamoEventSource(props.ordersTable, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: orderFulfilmentDefaults.batchSize,
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        retryAttempts: orderFulfilmentDefaults.retryAttempts,
        maxRecordAge: orderFulfilmentDefaults.maxRecordAge,
        onFailure: new SqsDlq(this.deadLetterQueue),
      }),
    );
  }
}
