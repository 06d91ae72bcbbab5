import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { dynamoDBStoreDefaults } from '../idempotency/index.js';

/**
 * The item actions `createDynamoDBStore` sends: claim (PutItem), read (GetItem), complete (UpdateItem), release
 * (DeleteItem), the read of a redelivered SQS batch ahead of its claims (BatchGetItem), and the claims of an SQS
 * batch's first deliveries ahead of their runs (PartiQLInsert) and a batch's completions of records that finish
 * together (PartiQLUpdate), both through BatchExecuteStatement.
 */
export const idempotencyTableActions = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchGetItem',
  'dynamodb:PartiQLInsert',
  'dynamodb:PartiQLUpdate',
] as const;

/** The default values of {@link IdempotencyTableProps} and of {@link IdempotencyTable.grantTo}. */
export const idempotencyTableDefaults = {
  removalPolicy: RemovalPolicy.RETAIN,
  environmentVariable: 'IDEMPOTENCY_TABLE_NAME',
} as const;

/** Props of {@link IdempotencyTable}. */
export interface IdempotencyTableProps {
  /**
   * What CloudFormation does with the table, and the records in it, when it leaves the stack.
   * Retained by default: deleting it would forget which requests already ran, and their duplicates would run again.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /** A physical table name. @default a name CloudFormation generates */
  readonly tableName?: string;
}

/**
 * A DynamoDB table shaped the way `createDynamoDBStore` expects, with grants that cover only what the store does.
 *
 * The table has a string partition key and TTL on the expiry attribute, both named as the library's defaults
 * (`dynamoDBStoreDefaults`), on-demand billing, point-in-time recovery and encryption at rest with the AWS managed key.
 * @example
 * ```ts
 * import { App, Stack } from 'aws-cdk-lib';
 * import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
 * import { IdempotencyTable } from 'lambda-idempotency/cdk';
 *
 * const stack = new Stack(new App(), 'Payments');
 * const table = new IdempotencyTable(stack, 'Idempotency');
 * const charge = new NodejsFunction(stack, 'Charge', { entry: 'src/charge.ts' });
 * table.grantTo(charge); // charge reads process.env.IDEMPOTENCY_TABLE_NAME
 * ```
 */
export class IdempotencyTable extends Construct {
  /** The underlying table, for outputs, alarms or further configuration. */
  readonly table: Table;

  constructor(scope: Construct, id: string, props: IdempotencyTableProps = {}) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      tableName: props.tableName,
      partitionKey: { name: dynamoDBStoreDefaults.keyAttribute, type: AttributeType.STRING },
      timeToLiveAttribute: dynamoDBStoreDefaults.expiryAttribute,
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy: props.removalPolicy ?? idempotencyTableDefaults.removalPolicy,
    });
  }

  /** The table's name, known at deploy time. */
  get tableName(): string {
    return this.table.tableName;
  }

  /**
   * Lets `fn` use this table as its idempotency store and tells it the table's name.
   *
   * Grants only {@link idempotencyTableActions} on this table's ARN (no Scan, Query, batch writes or table-level actions) and
   * adds the table name to the function's environment under `environmentVariable`, next to the variables it has.
   * @example
   * ```ts
   * table.grantTo(charge, 'PAYMENTS_IDEMPOTENCY_TABLE');
   * ```
   */
  grantTo(fn: LambdaFunction, environmentVariable: string = idempotencyTableDefaults.environmentVariable): void {
    this.table.grant(fn, ...idempotencyTableActions);
    fn.addEnvironment(environmentVariable, this.table.tableName);
  }
}
