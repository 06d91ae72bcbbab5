import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { OrdersApiStack } from './orders-api-stack.js';

/** The name of the orders API stack, and of its template in `cdk.out/`. */
export const ordersApiStackName = 'OrdersApiStack';

/** The CDK context keys that switch the REST API's account-dependent settings on, e.g. `npx cdk deploy -c accessLogging=true`. */
export const ordersApiContextKeys = { accessLogging: 'accessLogging', cloudWatchRole: 'cloudWatchRole' } as const;

// The CLI passes context as strings; props passed in code may be booleans.
const isOn = (value: unknown): boolean => value === true || value === 'true';

/**
 * Creates the CDK app that deploys the orders API, with cdk-nag's AwsSolutions checks: an unacknowledged error fails synth.
 * Access logging and the account's API Gateway CloudWatch role are off unless the context keys of
 * {@link ordersApiContextKeys} turn them on.
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
  const context = (key: string) => isOn(app.node.tryGetContext(key));
  const stack = new OrdersApiStack(app, ordersApiStackName, {
    description: 'lambda-idempotency example: an idempotent orders API on API Gateway, Lambda and DynamoDB',
    api: { accessLogging: context(ordersApiContextKeys.accessLogging), cloudWatchRole: context(ordersApiContextKeys.cloudWatchRole) },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
