// A consumer's CDK stack using `lambda-idempotency/cdk`.
import { App, Stack } from 'aws-cdk-lib';
import { IdempotencyMonitoring, IdempotencyTable } from 'lambda-idempotency/cdk';

/** Synthesises one stack holding the idempotency table and its monitoring, as a user's `bin/` file does. */
export function synthesizeTable(outdir: string): unknown {
  const app = new App({ outdir });
  const stack = new Stack(app, 'ConsumerStack');
  const table = new IdempotencyTable(stack, 'Idempotency');
  new IdempotencyMonitoring(stack, 'Monitoring', { table, functions: [] });
  // @ts-expect-error the monitoring needs the functions it watches
  new IdempotencyMonitoring(stack, 'Unwatched', { table });
  // @ts-expect-error the construct's scope is a Construct, not a string
  new IdempotencyTable('not-a-scope', 'Broken');
  return { tableConstruct: table.node.id, template: app.synth().getStackByName('ConsumerStack').template };
}
