import { expect } from '@jest/globals';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { localDynamoDBClientConfig } from '../../lib/local/local-client-config.js';
import { dynamoDBEndpoint } from './dynamodb.js';

const cliSource = fileURLToPath(new URL('../../lib/cli/main.ts', import.meta.url));

/** How a run of the command-line tool ended. */
export interface CliRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The environment of a CLI run: the local fake credential and region, no instance metadata (the credential chain must
 * never reach for a real endpoint) and no AWS config files, so the machine's own settings cannot leak in.
 */
export function cliEnvironment(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_OPTIONS: '',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_ACCESS_KEY_ID: localDynamoDBClientConfig.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localDynamoDBClientConfig.credentials.secretAccessKey,
    AWS_REGION: localDynamoDBClientConfig.region,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
  };
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_DEFAULT_REGION']) delete env[name];
  // An override of `undefined` removes the variable.
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/**
 * Runs `lambda-idempotency` as its own process, from the TypeScript source through tsx (so it always runs the code
 * under test, with no build step), and resolves with its exit code and output whatever the code.
 */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = cliEnvironment()): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', cliSource, ...args], { env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error !== null && typeof error.code !== 'number') reject(error);
      else resolve({ exitCode: error === null ? 0 : (error.code as number), stdout, stderr });
    });
  });
}

/** The table options every command takes, pointed at the test DynamoDB Local. */
export const localTable = (tableName: string): string[] => ['--table', tableName, '--endpoint', dynamoDBEndpoint()];

/** Asserts that a failed run printed nothing on stdout and exactly one line, no stack, on stderr; returns that line. */
export function onlyErrorLine(run: CliRun): string {
  expect(run.stdout).toBe('');
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  return lines[0] as string;
}
