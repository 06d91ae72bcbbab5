import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnElement } from 'aws-cdk-lib';
import { functionEnvironment, orderRoutes } from '../../functions/routes.js';
import { dynamoDBStoreDefaults } from '../../lib/idempotency/index.js';
import { idempotencyTableActions } from '../../lib/constructs/idempotency-table.js';
import { invalidOrderProblem } from '../../functions/shared/gateway-problems.js';
import { preflightHeaders } from '../../functions/shared/cors.js';
import { createOrdersApiApp } from '../../lib/orders-api-app.js';
import { ordersTableKeyAttribute, type OrdersApiStack } from '../../lib/orders-api-stack.js';
import { allowedPairs, createOutdir, pairs, templateAppProps } from './cdk-template.js';

const cdkTimeoutMs = 120_000;
const out = createOutdir();
let stack: OrdersApiStack;
let template: Template;

// Logical id of a construct's CloudFormation resource, as the template names it.
const idOf = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as CfnElement);

beforeAll(() => {
  // The app carries cdk-nag's AwsSolutions checks: an unacknowledged error makes this synth throw.
  stack = createOrdersApiApp(templateAppProps(out.outdir)).stack;
  template = Template.fromStack(stack);
}, cdkTimeoutMs);

afterAll(() => out.remove());

describe('OrdersApiStack tables', () => {
  it('keys the idempotency table and expires its items on the attributes the library writes', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: dynamoDBStoreDefaults.keyAttribute, KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: dynamoDBStoreDefaults.keyAttribute, AttributeType: 'S' }],
      TimeToLiveSpecification: { AttributeName: dynamoDBStoreDefaults.expiryAttribute, Enabled: true },
    });
  });

  it('keys the orders table on the order id', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: ordersTableKeyAttribute, KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: ordersTableKeyAttribute, AttributeType: 'S' }],
    });
  });

  it('bills both tables on demand, with point-in-time recovery and encryption at rest', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 2);
    template.allResourcesProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });
});

describe('OrdersApiStack functions', () => {
  it('creates one Node 22 arm64 function per route', () => {
    template.resourceCountIs('AWS::Lambda::Function', orderRoutes.length);
    template.allResourcesProperties('AWS::Lambda::Function', { Runtime: 'nodejs22.x', Architectures: ['arm64'] });
  });

  it.each(orderRoutes.map((route) => [route.name, route] as const))('points %s at the tables its route uses', (name, route) => {
    const fn = stack.functions.get(name)!;
    template.hasResourceProperties('AWS::Lambda::Function', {
      Role: { 'Fn::GetAtt': [idOf(fn.role!), 'Arn'] },
      Environment: {
        Variables: {
          [functionEnvironment.ordersTableName]: { Ref: idOf(stack.ordersTable) },
          [functionEnvironment.idempotencyTableName]: route.usesIdempotency ? { Ref: idOf(stack.idempotencyTable.table) } : Match.absent(),
          [functionEnvironment.paymentProviderUrl]: route.chargesPayment === true ? { Ref: 'PaymentProviderUrl' } : Match.absent(),
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
    });
  });

  it.each(orderRoutes.map((route) => [route.name, route] as const))(
    'allows %s only the actions its route lists, on its tables and log group',
    (name, route) => {
      const fn = stack.functions.get(name)!;
      const expected = [
        ...pairs(route.ordersTableActions, { 'Fn::GetAtt': [idOf(stack.ordersTable), 'Arn'] }),
        ...(route.usesIdempotency ? pairs(idempotencyTableActions, { 'Fn::GetAtt': [idOf(stack.idempotencyTable.table), 'Arn'] }) : []),
        ...pairs(['logs:CreateLogStream', 'logs:PutLogEvents'], { 'Fn::GetAtt': [idOf(fn.logGroup), 'Arn'] }),
      ];

      expect(allowedPairs(template, idOf(fn.role!)).sort()).toEqual(expected.sort());
    },
  );

  it('takes the payment provider’s URL as a parameter, empty by default, and gives it only to the function that charges', () => {
    template.hasParameter('PaymentProviderUrl', { Type: 'String', Default: '' });
    expect(orderRoutes.filter((route) => route.chargesPayment === true).map((route) => route.name)).toEqual(['CreateOrder']);
  });

  it('attaches no managed policy to the function roles', () => {
    template.allResourcesProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });

  it('keeps function logs for a month in their own log groups', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { LoggingConfig: { LogGroup: { Ref: Match.anyValue() } } });
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 30 }, orderRoutes.length);
  });
});

describe('OrdersApiStack API', () => {
  it.each(orderRoutes.map((route) => [`${route.method} ${route.resource}`, route] as const))('wires %s to its function', (_, route) => {
    const resource = stack.api.api.root.resourceForPath(route.resource);
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: route.method,
      ResourceId: { Ref: idOf(resource) },
      AuthorizationType: 'NONE',
      Integration: {
        Type: 'AWS_PROXY',
        IntegrationHttpMethod: 'POST',
        Uri: { 'Fn::Join': ['', Match.arrayWith([{ 'Fn::GetAtt': [idOf(stack.functions.get(route.name)!), 'Arn'] }])] },
      },
      RequestValidatorId: route.requestBody === 'order' ? Match.anyValue() : Match.absent(),
      RequestModels: route.requestBody === 'order' ? { 'application/json': Match.anyValue() } : Match.absent(),
    });
  });

  it('validates order bodies against a schema with the contract limits', () => {
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true, ValidateRequestParameters: true });
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      ContentType: 'application/json',
      Schema: Match.objectLike({
        required: ['productId', 'quantity'],
        properties: {
          productId: { type: 'string', minLength: 1, maxLength: 64 },
          quantity: { type: 'integer', minimum: 1, maximum: 1000 },
          customerId: { type: 'string', minLength: 1, maxLength: 64 },
        },
      }),
    });
  });

  // Gateway response templates get plain substitution only (no VTL): substitute as API Gateway does, then parse.
  const substituted = (template: string, variables: Record<string, string>) =>
    Object.entries(variables).reduce((text, [name, value]) => text.split(name).join(value), template);
  const gatewayVariables = {
    '$context.error.messageString': JSON.stringify('Missing Authentication Token'),
    '$context.error.responseType': 'MISSING_AUTHENTICATION_TOKEN',
    '$context.error.validationErrorString': '[object has missing required properties (["productId"])]',
    '$context.requestId': 'c0ffee00-0000-4000-8000-000000000000',
  };

  it('answers an invalid body with the invalid-order problem, valid JSON after substitution', () => {
    const [response] = Object.values(template.findResources('AWS::ApiGateway::GatewayResponse', { Properties: { ResponseType: 'BAD_REQUEST_BODY' } }));
    expect(response.Properties.StatusCode).toBe('400');
    expect(JSON.parse(substituted(response.Properties.ResponseTemplates['application/json'], gatewayVariables))).toEqual(invalidOrderProblem);
  });

  it.each(['DEFAULT_4XX', 'DEFAULT_5XX'])(
    'answers %s (unknown route 403, 429, 502, 504 and the rest) with a problem that parses after substitution',
    (type) => {
      const [response] = Object.values(template.findResources('AWS::ApiGateway::GatewayResponse', { Properties: { ResponseType: type } }));
      expect(JSON.parse(substituted(response.Properties.ResponseTemplates['application/json'], gatewayVariables))).toEqual({
        type: 'urn:orders-api:gateway:MISSING_AUTHENTICATION_TOKEN',
        title: 'Missing Authentication Token',
        requestId: gatewayVariables['$context.requestId'],
      });
    },
  );

  it('gives every gateway response problem+json, the CORS origin and the headers a browser must read', () => {
    const responses = Object.values(template.findResources('AWS::ApiGateway::GatewayResponse'));
    expect(responses.map((response) => response.Properties.ResponseType).sort()).toEqual(['BAD_REQUEST_BODY', 'DEFAULT_4XX', 'DEFAULT_5XX']);
    for (const response of responses) {
      expect(response.Properties.ResponseParameters).toEqual({
        'gatewayresponse.header.Content-Type': "'application/problem+json'",
        'gatewayresponse.header.Access-Control-Allow-Origin': "'*'",
        'gatewayresponse.header.Access-Control-Expose-Headers': "'Location,Retry-After,Idempotent-Replayed'",
      });
    }
  });

  it('throttles the stage and, by default, needs no account-wide setting: no access log, no account role', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      MethodSettings: Match.arrayWith([Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 })]),
      AccessLogSetting: Match.absent(),
    });
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    template.resourceCountIs('AWS::Logs::LogGroup', orderRoutes.length);
  });

  it('answers CORS preflights on every resource with the headers of functions/shared/cors.ts, which the local server sends too', () => {
    const preflights = Object.values(template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'OPTIONS' } }));
    expect(preflights).toHaveLength(new Set(['/', ...orderRoutes.map((route) => route.resource)]).size);
    for (const preflight of preflights) {
      const [response] = preflight.Properties.Integration.IntegrationResponses;
      expect(response.StatusCode).toBe('204');
      expect(response.ResponseParameters).toEqual(
        Object.fromEntries(Object.entries(preflightHeaders).map(([name, value]) => [`method.response.header.${name}`, `'${value}'`])),
      );
    }
  });

  it('allows the Idempotency-Key header in CORS preflights', () => {
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'OPTIONS',
      Integration: {
        IntegrationResponses: [
          Match.objectLike({
            ResponseParameters: Match.objectLike({ 'method.response.header.Access-Control-Allow-Headers': Match.stringLikeRegexp('Idempotency-Key') }),
          }),
        ],
      },
    });
  });

  it('outputs the API URL, both table names and the alarm topic, and nothing else', () => {
    expect(Object.keys(template.toJSON().Outputs).sort()).toEqual(['AlarmTopicArn', 'ApiUrl', 'IdempotencyTableName', 'OrdersTableName']);
    template.hasOutput('AlarmTopicArn', { Value: { Ref: idOf(stack.alarmTopic) } });
    template.hasOutput('ApiUrl', { Value: Match.anyValue() });
    template.hasOutput('IdempotencyTableName', { Value: { Ref: idOf(stack.idempotencyTable.table) } });
    template.hasOutput('OrdersTableName', { Value: { Ref: idOf(stack.ordersTable) } });
  });
});

describe('OrdersApiStack monitoring', () => {
  const idempotentRoutes = orderRoutes.filter((route) => route.usesIdempotency);
  const functionDimension = (name: string) => [{ Name: 'FunctionName', Value: { Ref: idOf(stack.functions.get(name)!) } }];

  it('alarms on the store, lost leases and the in-progress rate of each idempotent function, and on table throttling, notifying the topic', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 3 * idempotentRoutes.length + 1);
    template.allResourcesProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [{ Ref: idOf(stack.alarmTopic) }],
      EvaluationPeriods: 5,
      TreatMissingData: 'notBreaching',
    });
  });

  it.each(idempotentRoutes.map((route) => [route.name] as const))('watches %s: StoreError, LeaseLost and InProgress by function name, each minute', (name) => {
    for (const [metricName, threshold] of [
      ['StoreError', 1],
      ['LeaseLost', 1],
      ['InProgress', 10],
    ] as const) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Threshold: threshold,
        Metrics: Match.arrayWith([
          Match.objectLike({
            MetricStat: { Metric: { Namespace: 'LambdaIdempotency', MetricName: metricName, Dimensions: functionDimension(name) }, Period: 60, Stat: 'Sum' },
          }),
        ]),
      });
    }
  });

  it('watches no function that does not use idempotency', () => {
    const alarms = JSON.stringify(template.findResources('AWS::CloudWatch::Alarm'));
    for (const route of orderRoutes.filter((candidate) => !candidate.usesIdempotency)) {
      expect(alarms).not.toContain(JSON.stringify(functionDimension(route.name)));
    }
  });

  it('watches the idempotency table for throttling and shows one dashboard', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([
        Match.objectLike({
          MetricStat: Match.objectLike({
            Metric: {
              Namespace: 'AWS/DynamoDB',
              MetricName: 'WriteThrottleEvents',
              Dimensions: [{ Name: 'TableName', Value: { Ref: idOf(stack.idempotencyTable.table) } }],
            },
          }),
        }),
      ]),
    });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('only accepts TLS on the alarm topic', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });
});

describe('OrdersApiStack with the account-dependent settings turned on', () => {
  const synth = (context: Record<string, string>) =>
    Template.fromStack(createOrdersApiApp({ ...templateAppProps(out.outdir), context: { ...templateAppProps(out.outdir).context, ...context } }).stack);

  it(
    'writes JSON access logs with -c accessLogging=true, using the role already set in the account',
    () => {
      const logged = synth({ accessLogging: 'true' });
      logged.hasResourceProperties('AWS::ApiGateway::Stage', {
        AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"') },
      });
      logged.resourceCountIs('AWS::ApiGateway::Account', 0);
    },
    cdkTimeoutMs,
  );

  it(
    'sets the account role itself with -c cloudWatchRole=true, retained when the stack goes, before the stage is deployed',
    () => {
      const managed = synth({ accessLogging: 'true', cloudWatchRole: 'true' });
      const [accountId, account] = Object.entries(managed.findResources('AWS::ApiGateway::Account'))[0];
      expect(account.Properties.CloudWatchRoleArn).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
      const roleId = account.Properties.CloudWatchRoleArn['Fn::GetAtt'][0] as string;
      expect(managed.toJSON().Resources[roleId].DeletionPolicy).toBe('Retain');
      const stage = Object.values(managed.findResources('AWS::ApiGateway::Stage'))[0];
      expect(stage.DependsOn).toContain(accountId);
    },
    cdkTimeoutMs,
  );

  it('refuses cloudWatchRole without accessLogging, naming the option', () => {
    expect(() => synth({ cloudWatchRole: 'true' })).toThrow(/`cloudWatchRole`/);
  });
});
