import { afterAll, describe, expect, it } from '@jest/globals';
import { Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { createOrdersApiApp } from '../../lib/orders-api-app.js';
import { createOutdir, templateAppProps } from './cdk-template.js';

const out = createOutdir();
afterAll(() => out.remove());

// The passing case is every other infra test: they synthesize the same app, and any unacknowledged error throws.
describe('createOrdersApiApp', () => {
  it('fails synthesis on an AwsSolutions error nobody acknowledged', () => {
    // Arrange
    const { stack } = createOrdersApiApp(templateAppProps(out.outdir));
    // An outdated runtime outside the route functions, whose acknowledgement does not reach it: AwsSolutions-L1.
    new LambdaFunction(stack, 'Outdated', {
      runtime: Runtime.NODEJS_20_X,
      handler: 'index.handler',
      code: Code.fromInline('exports.handler = async () => null;'),
    });

    // Act
    const synthesize = () => Template.fromStack(stack);

    // Assert
    expect(synthesize).toThrow(/ERROR[^\n]*\n\s*OrdersApiStack\/Outdated\/Resource[^\n]*\n\s*Acknowledge with 'AwsSolutions::AwsSolutions-L1'/);
  }, 120_000);
});
