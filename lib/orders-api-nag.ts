import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** What {@link acknowledgeOrdersApiFindings} acknowledges findings on. */
export interface OrdersApiNagScopes {
  /** The REST API construct. */
  readonly api: IConstruct;
  /** The functions: the routes' and the stream consumer's. */
  readonly functions: Iterable<IConstruct>;
  /** The queues that are themselves dead-letter queues. */
  readonly deadLetterQueues: Iterable<IConstruct>;
  /** The roles of functions that read a DynamoDB stream through an event source. */
  readonly streamReaderRoles: Iterable<IConstruct>;
  /** Whether the stage writes access logs; without them AwsSolutions-APIG1 is acknowledged. */
  readonly accessLogging: boolean;
}

const apiFindings = [
  {
    id: 'AwsSolutions-APIG4',
    reason:
      'The example orders API is public on purpose, so the README curl works right after deploy; idempotency records are then scoped by key alone. Put an authorizer in front before real use, and httpIdempotency scopes records per caller.',
  },
  {
    id: 'AwsSolutions-COG4',
    reason: 'No Cognito user pool in the example, for the same reason as AwsSolutions-APIG4: the API is open so the README curl works.',
  },
  {
    id: 'AwsSolutions-APIG6',
    reason:
      'Execution logging, like access logging, is refused by API Gateway until the account has a CloudWatch Logs role set, an account-wide setting; execution logs also record request data, so the example leaves them off and offers a JSON access log instead (accessLogging).',
  },
  {
    id: 'AwsSolutions-APIG3',
    reason: 'A WAF web ACL costs more per month than this example; stage throttling bounds abuse. Attach a web ACL before taking real traffic.',
  },
] as const;

const accessLogFinding = {
  id: 'AwsSolutions-APIG1',
  reason:
    'Access logging is opt-in (-c accessLogging=true) because API Gateway refuses a stage with logging until the account has a CloudWatch Logs role set, so a first deploy on a fresh account would roll back; the functions log every request to their own log groups.',
} as const;

const accountRoleFinding = {
  id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
  reason:
    'The API Gateway account role (created only with -c cloudWatchRole=true) uses AmazonAPIGatewayPushToCloudWatchLogs, the managed policy AWS documents for exactly this role.',
} as const;

const functionFindings = [
  {
    id: 'AwsSolutions-L1',
    reason:
      'Node.js 22 is the newest runtime the project builds for and tests (esbuild target node22, tests on Node 20 and later); moving to Node.js 24 is a deliberate upgrade after the suite runs on it.',
  },
] as const;

const deadLetterQueueFindings = [
  {
    id: 'AwsSolutions-SQS3',
    reason:
      'This queue is the dead-letter queue: the on-failure destination of the fulfil-order stream event source. A dead-letter queue of a dead-letter queue would only move the same messages once more.',
  },
] as const;

const streamReaderFindings = [
  {
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'dynamodb:ListStreams, which the DynamoDB event source grants with its stream reads, has no resource-level permissions: IAM accepts only "*" for it. The reads themselves (DescribeStream, GetRecords, GetShardIterator) are on the orders stream ARN alone.',
  },
] as const;

/**
 * Acknowledges the cdk-nag AwsSolutions findings the orders API accepts, each on the narrowest construct and with a reason.
 * @example
 * ```ts
 * import { App, Stack } from 'aws-cdk-lib';
 * import { acknowledgeOrdersApiFindings } from './orders-api-nag.js';
 *
 * const stack = new Stack(new App(), 'Orders');
 * acknowledgeOrdersApiFindings({ api: stack, functions: [], deadLetterQueues: [], streamReaderRoles: [], accessLogging: false });
 * ```
 */
export function acknowledgeOrdersApiFindings(scopes: OrdersApiNagScopes): void {
  for (const finding of apiFindings) Validations.of(scopes.api).acknowledge(finding);
  Validations.of(scopes.api).acknowledge(scopes.accessLogging ? accountRoleFinding : accessLogFinding);
  for (const fn of scopes.functions) {
    for (const finding of functionFindings) Validations.of(fn).acknowledge(finding);
  }
  for (const role of scopes.streamReaderRoles) {
    for (const finding of streamReaderFindings) Validations.of(role).acknowledge(finding);
  }
  for (const queue of scopes.deadLetterQueues) {
    for (const finding of deadLetterQueueFindings) Validations.of(queue).acknowledge(finding);
  }
}
