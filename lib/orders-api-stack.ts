import { fileURLToPath } from 'node:url';
import { CfnOutput, CfnParameter, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { functionEnvironment, orderFunctionTimeoutSeconds, orderRoutes, type OrderRoute } from '../functions/routes.js';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { IdempotencyMonitoring, IdempotencyTable } from './constructs/index.js';
import { NodeFunction } from './constructs/node-function.js';
import { OrdersRestApi, type OrdersRestApiProps } from './constructs/orders-rest-api.js';
import { acknowledgeOrdersApiFindings } from './orders-api-nag.js';

/** The orders table's partition key, the order id the API issues. */
export const ordersTableKeyAttribute = 'orderId';

/** Props of {@link OrdersApiStack}. */
export interface OrdersApiStackProps extends StackProps {
  /** The REST API's settings, e.g. `{ accessLogging: true }`. @default ordersRestApiDefaults */
  readonly api?: OrdersRestApiProps;
}

/**
 * The example orders API on AWS: the idempotency and orders tables, one function per route of `functions/routes.ts`,
 * and a REST API in front of them.
 *
 * Each function gets only the orders-table actions its route lists and, when the route is idempotent, the idempotency
 * table's item actions. The functions are bundled from the same handler modules that `npm start` serves.
 * `IdempotencyMonitoring` watches the idempotent functions and the table, its alarms notifying the `AlarmTopic`.
 * Outputs: `ApiUrl`, `IdempotencyTableName`, `OrdersTableName`, `AlarmTopicArn`.
 * @example
 * ```ts
 * import { App } from 'aws-cdk-lib';
 * import { OrdersApiStack } from './orders-api-stack.js';
 *
 * new OrdersApiStack(new App(), 'OrdersApi');
 * ```
 */
export class OrdersApiStack extends Stack {
  readonly idempotencyTable: IdempotencyTable;
  readonly ordersTable: Table;
  readonly api: OrdersRestApi;
  /** The function of each route, by route name. */
  readonly functions: ReadonlyMap<string, NodeFunction>;
  /** The payment provider's URL, a deploy-time parameter; empty (the default) places orders without a charge. */
  readonly paymentProviderUrl: CfnParameter;
  /** The idempotency alarms and dashboard. */
  readonly monitoring: IdempotencyMonitoring;
  /** Where the alarms notify; subscribe to it, e.g. by email. */
  readonly alarmTopic: Topic;

  constructor(scope: Construct, id: string, props: OrdersApiStackProps = {}) {
    super(scope, id, props);
    // An example stack: `cdk destroy` should leave nothing behind. A real stack keeps IdempotencyTable's RETAIN.
    this.idempotencyTable = new IdempotencyTable(this, 'IdempotencyTable', { removalPolicy: RemovalPolicy.DESTROY });
    this.ordersTable = new Table(this, 'OrdersTable', {
      partitionKey: { name: ordersTableKeyAttribute, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      // Same reason as the idempotency table: the example's orders are demo data.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new OrdersRestApi(this, 'OrdersApi', props.api);
    // A parameter, not a stand-in provider: a payment provider lives outside the stack, and a stand-in would need its
    // own state table and public URL for nothing the local one does not show.
    this.paymentProviderUrl = new CfnParameter(this, 'PaymentProviderUrl', {
      type: 'String',
      default: '',
      description: 'Base URL of the payment provider POST /orders charges (POST <url>/charges with an Idempotency-Key); empty: no charge',
    });
    this.functions = new Map(orderRoutes.map((route) => [route.name, this.addRoute(route)]));
    // TLS only (cdk-nag AwsSolutions-SNS3). Not KMS-encrypted: CloudWatch cannot publish to a topic under the AWS managed key.
    this.alarmTopic = new Topic(this, 'AlarmTopic', { enforceSSL: true });
    this.monitoring = new IdempotencyMonitoring(this, 'IdempotencyMonitoring', {
      table: this.idempotencyTable,
      functions: orderRoutes.filter((route) => route.usesIdempotency).map((route) => this.functions.get(route.name) as NodeFunction),
      alarmTopic: this.alarmTopic,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the orders API; append orders or order-intents' });
    new CfnOutput(this, 'IdempotencyTableName', { value: this.idempotencyTable.tableName });
    new CfnOutput(this, 'OrdersTableName', { value: this.ordersTable.tableName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn, description: 'Subscribe to receive the idempotency alarms' });
    acknowledgeOrdersApiFindings({ api: this.api, functions: this.functions.values(), accessLogging: props.api?.accessLogging ?? false });
  }

  private addRoute(route: OrderRoute): NodeFunction {
    const fn = new NodeFunction(this, route.name, {
      entry: fileURLToPath(new URL(`../functions/${route.entry}`, import.meta.url)),
      environment: {
        [functionEnvironment.ordersTableName]: this.ordersTable.tableName,
        ...(route.chargesPayment === true ? { [functionEnvironment.paymentProviderUrl]: this.paymentProviderUrl.valueAsString } : {}),
      },
      timeout: Duration.seconds(orderFunctionTimeoutSeconds),
    });
    this.ordersTable.grant(fn, ...route.ordersTableActions);
    if (route.usesIdempotency) this.idempotencyTable.grantTo(fn, functionEnvironment.idempotencyTableName);
    this.api.addRoute(route, fn);
    return fn;
  }
}
