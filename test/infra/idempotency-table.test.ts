import { afterAll, describe, expect, it } from '@jest/globals';
import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { dynamoDBStoreDefaults } from '../../lib/idempotency/index.js';
import { IdempotencyTable } from '../../lib/constructs/idempotency-table.js';
import { createOutdir, createTestStack } from './cdk-template.js';

const cdkTimeoutMs = 60_000;
const out = createOutdir();
afterAll(() => out.remove());

function tableWithFunction(props?: ConstructorParameters<typeof IdempotencyTable>[2]) {
  const stack = createTestStack(out.outdir);
  const table = new IdempotencyTable(stack, 'Idempotency', props);
  const fn = new LambdaFunction(stack, 'Fn', {
    runtime: Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: Code.fromInline('export const handler = async () => null;'),
    environment: { STAGE: 'test' },
  });
  return { stack, table, fn };
}

describe('IdempotencyTable', () => {
  it(
    'creates the table the DynamoDB store expects, retained by default',
    () => {
      // Arrange
      const { stack } = tableWithFunction();

      // Act
      const template = Template.fromStack(stack);

      // Assert
      template.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Retain',
        Properties: {
          KeySchema: [{ AttributeName: dynamoDBStoreDefaults.keyAttribute, KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: dynamoDBStoreDefaults.keyAttribute, AttributeType: 'S' }],
          TimeToLiveSpecification: { AttributeName: dynamoDBStoreDefaults.expiryAttribute, Enabled: true },
          BillingMode: 'PAY_PER_REQUEST',
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          SSESpecification: { SSEEnabled: true },
        },
      });
    },
    cdkTimeoutMs,
  );

  it(
    'applies the removal policy the caller chooses',
    () => {
      const { stack } = tableWithFunction({ removalPolicy: RemovalPolicy.DESTROY, tableName: 'payments-idempotency' });

      const template = Template.fromStack(stack);

      template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ TableName: 'payments-idempotency' }) });
    },
    cdkTimeoutMs,
  );

  it(
    'grants only the four item actions on the table ARN and adds the table name to the environment',
    () => {
      const { stack, table, fn } = tableWithFunction();

      table.grantTo(fn);
      const template = Template.fromStack(stack);

      const tableId = stack.getLogicalId(table.table.node.defaultChild as CfnTable);
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: [
            {
              Effect: 'Allow',
              Action: [
                'dynamodb:GetItem',
                'dynamodb:PutItem',
                'dynamodb:UpdateItem',
                'dynamodb:DeleteItem',
                'dynamodb:BatchGetItem',
                'dynamodb:PartiQLInsert',
                'dynamodb:PartiQLUpdate',
              ],
              Resource: [{ 'Fn::GetAtt': [tableId, 'Arn'] }],
            },
          ],
        },
      });
      template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { STAGE: 'test', IDEMPOTENCY_TABLE_NAME: { Ref: tableId } } } });
    },
    cdkTimeoutMs,
  );

  it(
    'names the environment variable the caller asks for',
    () => {
      const { stack, table, fn } = tableWithFunction();

      table.grantTo(fn, 'PAYMENTS_IDEMPOTENCY_TABLE');
      const template = Template.fromStack(stack);

      const variables = Object.values(template.findResources('AWS::Lambda::Function'))[0]!.Properties.Environment.Variables;
      expect(Object.keys(variables).sort()).toEqual(['PAYMENTS_IDEMPOTENCY_TABLE', 'STAGE']);
    },
    cdkTimeoutMs,
  );
});
