import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  Cors,
  JsonSchemaType,
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
import type { OrderRoute } from '../../functions/routes.js';

/** The default values of {@link OrdersRestApiProps}. */
export const ordersRestApiDefaults = {
  throttlingRateLimit: 50,
  throttlingBurstLimit: 100,
  accessLogRetention: RetentionDays.ONE_MONTH,
} as const;

/** Props of {@link OrdersRestApi}. */
export interface OrdersRestApiProps {
  /** Steady-state requests per second the stage accepts before answering 429. @default 50 */
  readonly throttlingRateLimit?: number;
  /** Requests the stage accepts in a burst above the rate. @default 100 */
  readonly throttlingBurstLimit?: number;
  /** How long CloudWatch keeps the access logs. @default RetentionDays.ONE_MONTH */
  readonly accessLogRetention?: RetentionDays;
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
 * The orders API's REST API: a `prod` stage with throttling and JSON access logs, CORS that allows the
 * `Idempotency-Key` header, and validation of order bodies before they reach a function.
 *
 * A body the model rejects gets a 400 `application/problem+json` from API Gateway, so callers see one error format.
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
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: settings.accessLogRetention, removalPolicy: RemovalPolicy.DESTROY });
    this.api = new RestApi(this, 'Api', {
      restApiName: 'orders',
      // The account-wide CloudWatch role is account configuration, not this stack's to own (it outlives the stack).
      cloudWatchRole: false,
      deployOptions: {
        stageName: 'prod',
        throttlingRateLimit: settings.throttlingRateLimit,
        throttlingBurstLimit: settings.throttlingBurstLimit,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.custom(JSON.stringify(accessLogLine)),
      },
      defaultCorsPreflightOptions: {
        allowOrigins: Cors.ALL_ORIGINS,
        allowMethods: ['GET', 'POST', 'PUT', 'DELETE'],
        allowHeaders: [...Cors.DEFAULT_HEADERS, 'Idempotency-Key'],
      },
    });
    this.validator = this.api.addRequestValidator('Validator', { validateRequestBody: true, validateRequestParameters: true });
    // The order contract of functions/orders/order.ts; the function checks it again, for `npm start` and other content types.
    this.orderBody = this.api.addModel('OrderBody', {
      contentType: 'application/json',
      schema: {
        type: JsonSchemaType.OBJECT,
        required: ['productId', 'quantity'],
        properties: {
          productId: { type: JsonSchemaType.STRING, minLength: 1, maxLength: 64 },
          quantity: { type: JsonSchemaType.INTEGER, minimum: 1, maximum: 1000 },
          customerId: { type: JsonSchemaType.STRING, minLength: 1, maxLength: 64 },
        },
      },
    });
    this.api.addGatewayResponse('InvalidBody', {
      type: ResponseType.BAD_REQUEST_BODY,
      statusCode: '400',
      responseHeaders: { 'Content-Type': "'application/problem+json'", 'Access-Control-Allow-Origin': "'*'" },
      // The problem the functions answer for an invalid order. validationErrorString names the failing field; escapeJavaScript escapes ' too, which JSON does not allow.
      templates: {
        'application/json': String.raw`{"type":"urn:orders-api:invalid-order","title":"Invalid order","status":400,"detail":"$util.escapeJavaScript($context.error.validationErrorString).replaceAll("\\'","'")"}`,
      },
    });
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
