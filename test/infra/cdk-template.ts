import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, type AppProps } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';

/** A fresh cloud-assembly folder, and a way to remove it after the file's tests. */
export function createOutdir(): { outdir: string; remove: () => void } {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-test-'));
  return { outdir, remove: () => rmSync(outdir, { recursive: true, force: true }) };
}

/**
 * App props for template tests: a temporary outdir, and no esbuild bundling, which `npm run synth` covers.
 * The handler files must still exist: NodejsFunction checks its entry either way.
 */
export function templateAppProps(outdir: string): AppProps {
  return { outdir, context: { 'aws:cdk:bundling-stacks': [] } };
}

/** A stack in an app that writes to `outdir`, for testing one construct on its own. */
export function createTestStack(outdir: string): Stack {
  return new Stack(new App(templateAppProps(outdir)), 'TestStack');
}

/** `action on resource` strings, the form {@link allowedPairs} returns. */
export function pairs(actions: readonly string[], resource: unknown): string[] {
  return actions.map((action) => `${action} on ${JSON.stringify(resource)}`);
}

/** Every (action, resource) pair the inline policies of the role `roleLogicalId` allow, as {@link pairs} strings. */
export function allowedPairs(template: Template, roleLogicalId: string): string[] {
  const role = JSON.stringify({ Ref: roleLogicalId });
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
    (policy.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === role),
  );
  return policies.flatMap((policy) =>
    (policy.Properties.PolicyDocument.Statement as { Effect: string; Action: string | string[]; Resource: unknown }[]).flatMap((statement) => {
      if (statement.Effect !== 'Allow') throw new Error(`Unexpected ${statement.Effect} statement in a policy of ${roleLogicalId}`);
      const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
      return resources.flatMap((resource) => pairs([statement.Action].flat(), resource));
    }),
  );
}
