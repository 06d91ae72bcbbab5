import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { NodeFunction } from '../../lib/constructs/node-function.js';
import { createOutdir, createTestStack } from './cdk-template.js';

const entry = fileURLToPath(new URL('./fixtures/noop-handler.ts', import.meta.url));
const out = createOutdir();
let template: Template;
let logGroupId: string;

beforeAll(() => {
  const stack = createTestStack(out.outdir);
  const fn = new NodeFunction(stack, 'Fn', {
    entry,
    environment: { STAGE: 'test', NODE_OPTIONS: '--enable-source-maps --max-old-space-size=400' },
    logRetention: RetentionDays.ONE_WEEK,
  });
  fn.addEnvironment('ADDED_LATER', 'yes');
  logGroupId = stack.getLogicalId(fn.logGroup.node.defaultChild as CfnElement);
  template = Template.fromStack(stack);
}, 60_000);

afterAll(() => out.remove());

describe('NodeFunction', () => {
  it('runs Node 22 on arm64 with a bounded timeout and memory', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs22.x', Architectures: ['arm64'], Timeout: 10, MemorySize: 512 });
  });

  it('merges the caller environment and later additions with the defaults, the caller winning', () => {
    const variables = Object.values(template.findResources('AWS::Lambda::Function'))[0]!.Properties.Environment.Variables;

    expect(variables).toEqual({ STAGE: 'test', NODE_OPTIONS: '--enable-source-maps --max-old-space-size=400', ADDED_LATER: 'yes' });
  });

  it('writes to its own log group with the retention asked for', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
    template.hasResourceProperties('AWS::Lambda::Function', { LoggingConfig: { LogGroup: { Ref: logGroupId } } });
  });

  it('may write only to its log group, without a managed policy', () => {
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] } }],
      },
    });
  });
});
