import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { OrdersApiStack } from './orders-api-stack.js';

/** The name of the orders API stack, and of its template in `cdk.out/`. */
export const ordersApiStackName = 'OrdersApiStack';

/**
 * Creates the CDK app that deploys the orders API, with cdk-nag's AwsSolutions checks: an unacknowledged error fails synth.
 * @example
 * ```ts
 * import { createOrdersApiApp } from './orders-api-app.js';
 *
 * const { app } = createOrdersApiApp();
 * app.synth();
 * ```
 */
export function createOrdersApiApp(props: AppProps = {}): { app: App; stack: OrdersApiStack } {
  const app = new App(props);
  const stack = new OrdersApiStack(app, ordersApiStackName, {
    description: 'lambda-idempotency example: an idempotent orders API on API Gateway, Lambda and DynamoDB',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
