import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { fulfilOrderFunction, functionEnvironment } from '../../functions/routes.js';
import { idempotencyTableActions } from '../../lib/constructs/idempotency-table.js';
import { createOrdersApiApp } from '../../lib/orders-api-app.js';
import type { OrdersApiStack } from '../../lib/orders-api-stack.js';
import { allowedPairs, createOutdir, pairs, templateAppProps } from './cdk-template.js';

const out = createOutdir();
let stack: OrdersApiStack;
let template: Template;
const idOf = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
const arnOf = (construct: { node: { defaultChild?: unknown } }) => ({ 'Fn::GetAtt': [idOf(construct), 'Arn'] });

beforeAll(() => {
  // The app carries cdk-nag's AwsSolutions checks: an unacknowledged error makes this synth throw.
  stack = createOrdersApiApp(templateAppProps(out.outdir)).stack;
  template = Template.fromStack(stack);
}, 120_000);
afterAll(() => out.remove());

describe('OrdersApiStack fulfilment', () => {
  it('gives the orders table a stream of new and old images', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }],
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
  });

  it('keys the shipments table on the shipment id', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'shipmentId', KeyType: 'HASH' }],
      StreamSpecification: Match.absent(),
    });
  });

  it('feeds the orders stream to fulfil-order with partial batch responses, bisection, bounded retries and a dead-letter queue', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [idOf(stack.ordersTable), 'StreamArn'] },
      FunctionName: { Ref: idOf(stack.fulfilment.function) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: fulfilOrderFunction.retryAttempts,
      MaximumRecordAgeInSeconds: 3600,
      BatchSize: fulfilOrderFunction.batchSize,
      StartingPosition: 'TRIM_HORIZON',
      DestinationConfig: { OnFailure: { Destination: arnOf(stack.fulfilment.deadLetterQueue) } },
    });
  });

  it('encrypts the dead-letter queue, refuses plain HTTP to it and keeps messages 14 days', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })] },
    });
  });

  it('points fulfil-order at the orders, shipments and idempotency tables', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Role: arnOf(stack.fulfilment.function.role!),
      Environment: {
        Variables: {
          [functionEnvironment.ordersTableName]: { Ref: idOf(stack.ordersTable) },
          [functionEnvironment.shipmentsTableName]: { Ref: idOf(stack.fulfilment.shipmentsTable) },
          [functionEnvironment.idempotencyTableName]: { Ref: idOf(stack.idempotencyTable.table) },
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
    });
  });

  it('allows fulfil-order only what it does: update orders, put shipments, its idempotency items, read the stream, send to its queue, log', () => {
    const fn = stack.fulfilment.function;
    const expected = [
      ...pairs(['dynamodb:UpdateItem'], arnOf(stack.ordersTable)),
      ...pairs(['dynamodb:PutItem'], arnOf(stack.fulfilment.shipmentsTable)),
      ...pairs(idempotencyTableActions, arnOf(stack.idempotencyTable.table)),
      ...pairs(['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'], { 'Fn::GetAtt': [idOf(stack.ordersTable), 'StreamArn'] }),
      // ListStreams has no resource-level permissions (acknowledged in lib/orders-api-nag.ts).
      ...pairs(['dynamodb:ListStreams'], '*'),
      ...pairs(['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'], arnOf(stack.fulfilment.deadLetterQueue)),
      ...pairs(['logs:CreateLogStream', 'logs:PutLogEvents'], arnOf(fn.logGroup)),
    ];

    expect(allowedPairs(template, idOf(fn.role!)).sort()).toEqual(expected.sort());
  });
});
