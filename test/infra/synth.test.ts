import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { functionEnvironment } from '../../functions/routes.js';
import { replayedHeader } from '../../lib/idempotency/index.js';
import { localDynamoDBClientConfig } from '../../lib/local/local-client-config.js';
import { ensureLocalTables } from '../../lib/local/local-tables.js';
import { ordersApiStackName } from '../../lib/orders-api-app.js';
import { restEvent, type RestEventParts } from '../support/api-gateway-events.js';
import { parseEmfLine } from '../support/emf-specification.js';
import { createTestClient, dynamoDBEndpoint } from '../support/dynamodb.js';
import { createOutdir } from './cdk-template.js';

const run = promisify(execFile);
const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const invokeScript = fileURLToPath(new URL('./fixtures/invoke-bundle.mjs', import.meta.url));
const synthTimeoutMs = 240_000;
const out = createOutdir();
const templatePath = join(out.outdir, `${ordersApiStackName}.template.json`);
// Jest's --experimental-vm-modules is not what Lambda or a user's shell passes on.
const { NODE_OPTIONS: _jestNodeOptions, ...parentEnv } = process.env;
let synth: { stdout: string; stderr: string };

beforeAll(async () => {
  synth = await run('npm', ['run', 'synth', '--', '--output', out.outdir], {
    cwd: projectRoot,
    timeout: synthTimeoutMs,
    env: { ...parentEnv, CI: 'true', CDK_DISABLE_VERSION_CHECK: 'true' },
  });
}, synthTimeoutMs + 10_000);

afterAll(() => out.remove());

// The folder of the bundle esbuild built for the route function `name`, as the template's asset metadata names it.
function bundleOf(name: string): string {
  const template = JSON.parse(readFileSync(templatePath, 'utf8')) as { Resources: Record<string, { Type: string; Metadata?: Record<string, string> }> };
  const fn = Object.values(template.Resources).find((resource) => resource.Metadata?.['aws:cdk:path'] === `${ordersApiStackName}/${name}/Resource`);
  if (fn?.Metadata?.['aws:asset:path'] === undefined) throw new Error(`No bundled function ${name} in ${templatePath}`);
  return join(out.outdir, fn.Metadata['aws:asset:path']);
}

describe('npm run synth', () => {
  it('synthesizes the stack offline, cdk-nag included, without Docker', () => {
    expect(existsSync(templatePath)).toBe(true);
    expect(`${synth.stdout}${synth.stderr}`).not.toMatch(/docker/i);
  });

  it('bundles each function as one minified ESM file with a source map', () => {
    const bundle = readFileSync(join(bundleOf('GetOrder'), 'index.mjs'), 'utf8');

    expect(bundle).toMatch(/\bexport\s*\{/);
    // esbuild marks each module's start with a path comment unless it minifies.
    expect(bundle).not.toMatch(/^\/\/ (node_modules|functions|lib)\//m);
    expect(bundle).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
    expect(existsSync(join(bundleOf('GetOrder'), 'index.mjs.map'))).toBe(true);
  });

  it('deploys bundles that replay a placed order from DynamoDB and write one EMF metrics line per idempotent invocation', async () => {
    // Arrange
    const tables = { idempotencyTableName: `bundle-idempotency-${Date.now()}`, ordersTableName: `bundle-orders-${Date.now()}` };
    await ensureLocalTables(createTestClient(), tables);
    const invoke = async (name: string, parts: RestEventParts) => {
      const { stdout } = await run('node', [invokeScript, join(bundleOf(name), 'index.mjs'), JSON.stringify(restEvent(parts))], {
        timeout: 30_000,
        // As on Lambda: credentials and region from the environment, the SDK's default chain; no DYNAMODB_ENDPOINT.
        env: {
          PATH: process.env.PATH,
          NODE_OPTIONS: '--enable-source-maps',
          AWS_REGION: localDynamoDBClientConfig.region,
          AWS_ACCESS_KEY_ID: localDynamoDBClientConfig.credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: localDynamoDBClientConfig.credentials.secretAccessKey,
          AWS_ENDPOINT_URL_DYNAMODB: dynamoDBEndpoint(),
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          [functionEnvironment.ordersTableName]: tables.ordersTableName,
          [functionEnvironment.idempotencyTableName]: tables.idempotencyTableName,
        },
      });
      const lines = stdout.split('\n');
      const response = JSON.parse(lines.at(-1) as string) as { statusCode: number; headers?: Record<string, string>; body: string };
      return { ...response, metricLines: lines.slice(0, -1).map((line) => parseEmfLine(line)) };
    };
    const intent = await invoke('CreateOrderIntent', { method: 'POST', resource: '/order-intents', path: '/order-intents' });
    const { orderId } = JSON.parse(intent.body) as { orderId: string };
    const place = {
      method: 'PUT',
      resource: '/orders/{orderId}',
      path: `/orders/${orderId}`,
      pathParameters: { orderId },
      body: '{"productId":"p-1","quantity":2}',
    };

    // Act
    const first = await invoke('PlaceOrder', place);
    const second = await invoke('PlaceOrder', place);

    // Assert
    expect(intent.statusCode).toBe(201);
    expect(first.statusCode).toBe(201);
    expect(second).toMatchObject({ statusCode: 201, body: first.body, headers: { [replayedHeader]: 'true' } });
    expect(intent.metricLines).toEqual([]);
    expect(first.metricLines).toEqual([expect.objectContaining({ FunctionName: 'bundle-test', Namespace: 'place-order', Claimed: 1, Completed: 1 })]);
    expect(second.metricLines).toEqual([expect.objectContaining({ FunctionName: 'bundle-test', Namespace: 'place-order', Replayed: 1 })]);
  }, 90_000);
});
