// A consumer's CDK stack using `lambda-idempotency/cdk`.
import { App, Stack } from 'aws-cdk-lib';
import { IdempotencyTable } from 'lambda-idempotency/cdk';

/** Synthesises one stack holding the idempotency table, as a user's `bin/` file does. */
export function synthesizeTable(outdir: string): unknown {
  const app = new App({ outdir });
  const stack = new Stack(app, 'ConsumerStack');
  const table = new IdempotencyTable(stack, 'Idempotency');
  // @ts-expect-error the construct's scope is a Construct, not a string
  new IdempotencyTable('not-a-scope', 'Broken');
  return { tableConstruct: table.node.id, template: app.synth().getStackByName('ConsumerStack').template };
}
