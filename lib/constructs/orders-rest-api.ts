import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  type JsonSchema,
  LambdaIntegration,
  LogGroupLogDestination,
  ResponseType,
  RestApi,
  type Model,
  type RequestValidator,
} from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ordersApiCors } from '../../functions/shared/cors.js';
import { gatewayProblemHeaders, gatewayProblemTemplate, invalidOrderProblem } from '../../functions/shared/gateway-problems.js';
import { orderBodySchema } from '../../functions/orders/order-schema.js';
import type { OrderRoute } from '../../functions/routes.js';

/** The default values of {@link OrdersRestApiProps}. */
export const ordersRestApiDefaults = {
  throttlingRateLimit: 50,
  throttlingBurstLimit: 100,
  accessLogRetention: RetentionDays.ONE_MONTH,
  accessLogging: false,
  cloudWatchRole: false,
} as const;

/** Props of {@link OrdersRestApi}. */
export interface OrdersRestApiProps {
  /** Steady-state requests per second the stage accepts before answering 429. @default 50 */
  readonly throttlingRateLimit?: number;
  /** Requests the stage accepts in a burst above the rate. @default 100 */
  readonly throttlingBurstLimit?: number;
  /** How long CloudWatch keeps the access logs. @default RetentionDays.ONE_MONTH */
  readonly accessLogRetention?: RetentionDays;
  /**
   * Writes a JSON access log line per request. API Gateway refuses a stage with logging until the account (per region)
   * has a CloudWatch Logs role ARN in its API Gateway settings, so on a fresh account a first deploy would roll back.
   * @default false
   */
  readonly accessLogging?: boolean;
  /**
   * Creates the API Gateway CloudWatch role and sets it in the account's API Gateway settings: an account-wide,
   * per-region setting that outlives this stack, so the role is retained. Only with `accessLogging`.
   * @default false: the role already set in the account is used
   */
  readonly cloudWatchRole?: boolean;
}

// One JSON line per request, with what is needed to tell a throttle, a validation failure and a Lambda error apart.
const accessLogLine = {
  requestId: AccessLogField.contextRequestId(),
  time: AccessLogField.contextRequestTime(),
  ip: AccessLogField.contextIdentitySourceIp(),
  method: AccessLogField.contextHttpMethod(),
  resource: AccessLogField.contextResourcePath(),
  status: AccessLogField.contextStatus(),
  latencyMs: AccessLogField.contextResponseLatency(),
  integrationStatus: AccessLogField.contextIntegrationStatus(),
  integrationError: AccessLogField.contextIntegrationErrorMessage(),
  error: AccessLogField.contextErrorMessage(),
};

/**
 * The orders API's REST API: a `prod` stage with throttling and optional JSON access logs, CORS that allows the
 * `Idempotency-Key` header, and validation of order bodies before they reach a function.
 *
 * A body the model rejects gets a 400 `application/problem+json` from API Gateway, and every other answer of API
 * Gateway's own (403, 404, 429, 5xx) a problem+json too, all with the CORS headers, so callers see one error format.
 * @example
 * ```ts
 * import { App, Stack } from 'aws-cdk-lib';
 * import { OrdersRestApi } from './orders-rest-api.js';
 *
 * const api = new OrdersRestApi(new Stack(new App(), 'Orders'), 'Api', { throttlingRateLimit: 10 });
 * ```
 */
export class OrdersRestApi extends Construct {
  readonly api: RestApi;
  private readonly validator: RequestValidator;
  private readonly orderBody: Model;

  constructor(scope: Construct, id: string, props: OrdersRestApiProps = {}) {
    super(scope, id);
    const settings = { ...ordersRestApiDefaults, ...props };
    if (settings.cloudWatchRole && !settings.accessLogging)
      throw new TypeError('Expected `cloudWatchRole` only with `accessLogging: true`: nothing else needs the account role.');
    this.api = new RestApi(this, 'Api', {
      restApiName: 'orders',
      // Opt-in: the account-wide role is account configuration that outlives the stack, so it is retained.
      cloudWatchRole: settings.cloudWatchRole,
      ...(settings.cloudWatchRole ? { cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN } : {}),
      deployOptions: {
        stageName: 'prod',
        throttlingRateLimit: settings.throttlingRateLimit,
        throttlingBurstLimit: settings.throttlingBurstLimit,
        ...(settings.accessLogging ? this.accessLogOptions(settings.accessLogRetention) : {}),
      },
      defaultCorsPreflightOptions: {
        allowOrigins: [ordersApiCors.allowOrigin],
        allowMethods: [...ordersApiCors.allowMethods],
        allowHeaders: [...ordersApiCors.allowHeaders],
      },
    });
    // RestApi adds an `Endpoint` output of its own; the stack outputs the same URL once, as `ApiUrl`.
    this.api.node.tryRemoveChild('Endpoint');
    this.addGatewayProblems();
    this.validator = this.api.addRequestValidator('Validator', { validateRequestBody: true, validateRequestParameters: true });
    // The order contract, shared with the local server; the function checks it again, for other content types.
    // JsonSchemaType's values are the schema's own type names, so the plain schema is a valid CDK JsonSchema.
    this.orderBody = this.api.addModel('OrderBody', { contentType: 'application/json', schema: orderBodySchema as unknown as JsonSchema });
  }

  private accessLogOptions(retention: RetentionDays) {
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention, removalPolicy: RemovalPolicy.DESTROY });
    return { accessLogDestination: new LogGroupLogDestination(accessLogs), accessLogFormat: AccessLogFormat.custom(JSON.stringify(accessLogLine)) };
  }

  // Every answer API Gateway gives without a function (invalid body, unknown route, throttling, timeouts) is
  // problem+json a browser may read; see functions/shared/gateway-problems.ts for why the templates are safe JSON.
  private addGatewayProblems(): void {
    const responseHeaders = Object.fromEntries(Object.entries(gatewayProblemHeaders).map(([name, value]) => [name, `'${value}'`]));
    this.api.addGatewayResponse('InvalidBody', {
      type: ResponseType.BAD_REQUEST_BODY,
      statusCode: '400',
      responseHeaders,
      templates: { 'application/json': JSON.stringify(invalidOrderProblem) },
    });
    for (const [id, type] of [
      ['Default4xx', ResponseType.DEFAULT_4XX],
      ['Default5xx', ResponseType.DEFAULT_5XX],
    ] as const) {
      this.api.addGatewayResponse(id, { type, responseHeaders, templates: { 'application/json': gatewayProblemTemplate } });
    }
  }

  /** The stage's URL, ending in `/`. */
  get url(): string {
    return this.api.url;
  }

  /** Wires `route` to `fn` through a Lambda proxy integration, validating the order body on routes that carry one. */
  addRoute(route: OrderRoute, fn: IFunction): void {
    const validation = route.requestBody === 'order' ? { requestValidator: this.validator, requestModels: { 'application/json': this.orderBody } } : {};
    this.api.root.resourceForPath(route.resource).addMethod(route.method, new LambdaIntegration(fn), validation);
  }
}
