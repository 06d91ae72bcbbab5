import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type BundlingOptions, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

const functionDefaults = {
  runtime: Runtime.NODEJS_22_X,
  architecture: Architecture.ARM_64,
  // The handlers make a few DynamoDB calls; 512 MB buys the CPU that keeps cold starts short.
  memorySize: 512,
  // Under API Gateway's 29 s integration timeout: a stuck invocation ends before its caller gives up.
  timeout: Duration.seconds(10),
} as const;

/** The default values of {@link NodeFunctionProps}. */
export const nodeFunctionDefaults = {
  ...functionDefaults,
  logRetention: RetentionDays.ONE_MONTH,
  // Without it, stack traces point into the minified bundle.
  environment: { NODE_OPTIONS: '--enable-source-maps' },
  bundling: {
    format: OutputFormat.ESM,
    target: 'node22',
    minify: true,
    sourceMap: true,
    // Stack traces need the mappings only; the sources would triple the upload.
    sourcesContent: false,
    // Ship the SDK version the tests ran against instead of the one the Lambda runtime happens to carry.
    bundleAwsSDK: true,
    // The SDK's ESM builds; its CommonJS builds call require('node:https'), which an ESM bundle cannot do.
    mainFields: ['module', 'main'],
  } satisfies BundlingOptions,
} as const;

/** Props of {@link NodeFunction}: those of `NodejsFunction`, with the project's defaults and a log retention. */
export interface NodeFunctionProps extends Omit<NodejsFunctionProps, 'logRetention' | 'logGroup'> {
  /** The handler module, an absolute path; it exports `handler`. */
  readonly entry: string;
  /** How long CloudWatch keeps the function's logs, in a log group this construct creates. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
}

/**
 * A `NodejsFunction` with the project's defaults: Node 22 on arm64, a minified ESM bundle with source maps built by
 * the local esbuild (no Docker), its own log group with a retention, and a role that may write only to that log group.
 *
 * Every default can be overridden; `environment` and `bundling` are merged with the defaults, never replaced, and
 * later `addEnvironment` calls add to them.
 * @example
 * ```ts
 * import { App, Stack } from 'aws-cdk-lib';
 * import { NodeFunction } from './node-function.js';
 *
 * const stack = new Stack(new App(), 'Orders');
 * new NodeFunction(stack, 'GetOrder', { entry: '/repo/functions/orders/get-order.ts', environment: { STAGE: 'dev' } });
 * ```
 */
export class NodeFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: NodeFunctionProps) {
    const { logRetention = nodeFunctionDefaults.logRetention, ...functionProps } = props;
    // Siblings rather than children: NodejsFunction needs both before its constructor runs.
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: logRetention,
      // Logs are diagnostics, not records: they go with the stack, the tables keep the data.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = props.role ?? new Role(scope, `${id}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    super(scope, id, {
      ...functionDefaults,
      depsLockFilePath: `${projectRoot}package-lock.json`,
      projectRoot,
      ...functionProps,
      role,
      logGroup,
      environment: { ...nodeFunctionDefaults.environment, ...props.environment },
      bundling: { ...nodeFunctionDefaults.bundling, ...props.bundling },
    });
    // Instead of AWSLambdaBasicExecutionRole, whose log permissions cover every log group in the account.
    logGroup.grantWrite(role);
  }
}
