import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConsumerPackage } from '../support/consumer-lockfile.js';
import { cliEnvironment } from '../support/cli-process.js';
import { installConsumer, packRepository, repositoryRoot, run } from '../support/consumer-project.js';
import { createIdempotencyTable, createTestClient, dynamoDBEndpoint } from '../support/dynamodb.js';
import { parseEmfLine } from '../support/emf-specification.js';

// Packing runs the TypeScript build and installing extracts aws-cdk-lib: on a loaded 2-core machine that takes
// minutes, so the bounds are wide; they only stop a hung step.
const packTimeoutMs = 10 * 60_000;
const installTimeoutMs = 10 * 60_000;
const stepTimeoutMs = 5 * 60_000;

const typescriptCompiler = join(repositoryRoot, 'node_modules/typescript/bin/tsc');
// Run as a program: its bin is a native executable or a Node script depending on how it was installed.
const esbuildCli = join(repositoryRoot, 'node_modules/.bin/esbuild');
// Child processes get no --experimental-vm-modules (that is Jest's) and no SDK Node-version notice.
const childEnv = { ...process.env, NODE_OPTIONS: '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

/** The versions this repository develops against, i.e. what `npm install` gives a user today. */
const currentVersions: ConsumerPackage[] = [
  { name: '@aws-sdk/client-dynamodb', lockPath: 'node_modules/@aws-sdk/client-dynamodb' },
  { name: '@middy/core', lockPath: 'node_modules/@middy/core' },
  { name: 'aws-cdk-lib', lockPath: 'node_modules/aws-cdk-lib' },
  { name: 'constructs', lockPath: 'node_modules/constructs' },
  { name: '@types/node', lockPath: 'node_modules/@types/node' },
];

/** The lowest versions the peer ranges claim, held in this repository under npm aliases so `npm ci` caches them. */
const lowestVersions: ConsumerPackage[] = [
  { name: '@aws-sdk/client-dynamodb', lockPath: 'node_modules/aws-sdk-client-dynamodb-lowest' },
  { name: '@middy/core', lockPath: 'node_modules/middy-core-lowest' },
  { name: '@types/node', lockPath: 'node_modules/@types/node' },
];

let packDirectory: string;
let tarball: string;

beforeAll(async () => {
  packDirectory = await mkdtemp(join(tmpdir(), 'lambda-idempotency-pack-'));
  tarball = await packRepository(packDirectory);
}, packTimeoutMs);

afterAll(async () => {
  await rm(packDirectory, { recursive: true, force: true });
});

/** Creates a temporary consumer project holding the packed tarball and installs it offline with `packages`. */
function useConsumer(packages: readonly ConsumerPackage[]): () => string {
  let directory = '';
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'lambda-idempotency-consumer-'));
    await copyFile(join(packDirectory, tarball), join(directory, tarball));
    await installConsumer(directory, tarball, packages);
  }, installTimeoutMs);
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });
  return () => directory;
}

/** Type-checks the consumer with one of its tsconfig files, with the repository's TypeScript. */
async function typeCheck(directory: string, tsconfig: string): Promise<void> {
  await run(process.execPath, [typescriptCompiler, '-p', tsconfig], { cwd: directory, env: childEnv });
}

/** Bundles the consumer handler as `NodejsFunction` does (platform node, AWS SDK external), minified; returns the file. */
async function bundleHandler(directory: string, format: 'cjs' | 'esm'): Promise<string> {
  const outfile = join(directory, 'bundle', format === 'esm' ? 'handler.mjs' : 'handler.cjs');
  const args = [
    'handler.ts',
    '--bundle',
    '--platform=node',
    '--target=node20',
    `--format=${format}`,
    '--minify',
    '--external:@aws-sdk/*',
    `--outfile=${outfile}`,
    '--log-level=warning',
  ];
  await run(esbuildCli, args, { cwd: directory, env: childEnv });
  return outfile;
}

/** Runs the bundle twice with one event against DynamoDB Local: both answers, the executions counted and the EMF lines written. */
async function invokeTwice(
  directory: string,
  bundle: string,
  key: string,
): Promise<{ first: unknown; replay: unknown; executions: number; metricLines: string[] }> {
  const tableName = await createIdempotencyTable(createTestClient());
  const env = { ...childEnv, DYNAMODB_ENDPOINT: dynamoDBEndpoint(), IDEMPOTENCY_TABLE_NAME: tableName };
  // The handler's metrics lines come first, one per invocation; run-twice.mjs prints its answers last, without a newline.
  const lines = (await run(process.execPath, ['run-twice.mjs', bundle, key], { cwd: directory, env })).split('\n');
  const answers = JSON.parse(lines.at(-1) as string) as { first: unknown; replay: unknown; executions: number };
  return { ...answers, metricLines: lines.slice(0, -1) };
}

/** Runs the `lambda-idempotency` bin npm installed (shebang, executable bit, its own dependencies) on a fresh table. */
async function listWithInstalledBin(directory: string): Promise<string> {
  const tableName = await createIdempotencyTable(createTestClient());
  const bin = join(directory, 'node_modules/.bin/lambda-idempotency');
  return run(bin, ['list', '--table', tableName, '--endpoint', dynamoDBEndpoint()], { cwd: directory, env: cliEnvironment() });
}

describe('the packed package, installed offline with the current peer versions', () => {
  const consumer = useConsumer(currentVersions);

  it.each(['nodenext', 'bundler', 'node10'])(
    'type-checks a handler and a CDK stack under moduleResolution %s',
    async (resolution) => {
      await typeCheck(consumer(), `tsconfig.${resolution}.json`);
    },
    stepTimeoutMs,
  );

  it(
    'ships declarations that type-check with skipLibCheck off, with only the installed packages',
    async () => {
      await typeCheck(consumer(), 'tsconfig.declarations.json');
    },
    stepTimeoutMs,
  );

  it.each(['cjs', 'esm'] as const)(
    'bundles with esbuild as NodejsFunction does (%s), replays the first answer against DynamoDB Local and writes one EMF line per invocation',
    async (format) => {
      // Arrange
      const bundle = await bundleHandler(consumer(), format);

      // Act
      const result = await invokeTwice(consumer(), bundle, `consumer-${format}`);

      // Assert
      expect(result.first).toEqual({ charged: 42, paymentId: expect.any(String) });
      expect(result.replay).toEqual(result.first);
      expect(result.executions).toBe(1);
      expect(result.metricLines.map((line) => parseEmfLine(line))).toEqual([
        expect.objectContaining({ FunctionName: 'consumer', Namespace: 'charge', Claimed: 1, Completed: 1 }),
        expect.objectContaining({ FunctionName: 'consumer', Namespace: 'charge', Replayed: 1 }),
      ]);
    },
    stepTimeoutMs,
  );

  it(
    'is loaded with require() from CommonJS, both entry points, and synthesises the IdempotencyTable and IdempotencyMonitoring',
    async () => {
      // Act
      const output = await run(process.execPath, ['require-check.cjs', join(consumer(), 'cdk.out')], { cwd: consumer(), env: childEnv });

      // Assert
      const result = JSON.parse(output) as { exports: number; resourceTypes: string[] };
      expect(result.exports).toBeGreaterThan(10);
      expect(result.resourceTypes).toEqual(expect.arrayContaining(['AWS::DynamoDB::Table', 'AWS::CloudWatch::Alarm', 'AWS::CloudWatch::Dashboard']));
    },
    stepTimeoutMs,
  );

  it(
    'installs the lambda-idempotency command, which lists a table on DynamoDB Local',
    async () => {
      expect(await listWithInstalledBin(consumer())).toMatch(/^RECORD ID +STATUS +LEASE END +RETENTION END\n$/);
    },
    stepTimeoutMs,
  );
});

describe('the packed package, installed offline with the lowest claimed peer versions', () => {
  const consumer = useConsumer(lowestVersions);

  it.each(['@aws-sdk/client-dynamodb', '@middy/core'])('installs %s at the lower bound of its peer range', async (name) => {
    const ours = JSON.parse(await readFile(join(repositoryRoot, 'package.json'), 'utf8')) as { peerDependencies: Record<string, string> };
    const installed = JSON.parse(await readFile(join(consumer(), 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
    expect(ours.peerDependencies[name]).toBe(`^${installed.version}`);
  });

  it(
    'type-checks the handler and the declarations against the lowest SDK and Middy',
    async () => {
      await typeCheck(consumer(), 'tsconfig.handler.json');
      await typeCheck(consumer(), 'tsconfig.declarations.json');
    },
    stepTimeoutMs,
  );

  it(
    'bundles the handler and replays the first answer against DynamoDB Local with the lowest SDK',
    async () => {
      // Arrange
      const bundle = await bundleHandler(consumer(), 'esm');

      // Act
      const result = await invokeTwice(consumer(), bundle, 'consumer-lowest');

      // Assert
      expect(result.first).toEqual({ charged: 42, paymentId: expect.any(String) });
      expect(result.replay).toEqual(result.first);
      expect(result.executions).toBe(1);
    },
    stepTimeoutMs,
  );

  it(
    'runs the lambda-idempotency command with the lowest SDK',
    async () => {
      expect(await listWithInstalledBin(consumer())).toMatch(/^RECORD ID +STATUS +LEASE END +RETENTION END\n$/);
    },
    stepTimeoutMs,
  );
});
