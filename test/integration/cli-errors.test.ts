import { describe, expect, it } from '@jest/globals';
import { findFreePort } from '../../lib/local/dynamodb-local.js';
import { cliEnvironment, localTable, onlyErrorLine, runCli } from '../support/cli-process.js';
import { dynamoDBEndpoint } from '../support/dynamodb.js';
import { useStoreFixture } from '../support/store-fixture.js';

const fixture = useStoreFixture();

describe('lambda-idempotency failures', () => {
  it.each([['inspect', '--key', 'k'], ['list', '--json'], ['list']])('names a missing table in one line and exits 3: %s', async (...command) => {
    // Act
    const run = await runCli([...command, '--table', 'no-such-table', '--endpoint', dynamoDBEndpoint()]);

    // Assert
    expect(run.exitCode).toBe(3);
    expect(onlyErrorLine(run)).toBe(`error: Table 'no-such-table' does not exist at ${dynamoDBEndpoint()}.`);
  });

  it('names missing credentials in one line and exits 3, before any request', async () => {
    // Act
    const env = cliEnvironment({ AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined });
    const run = await runCli(['list', ...localTable(fixture.tableName)], env);

    // Assert
    expect(run.exitCode).toBe(3);
    expect(onlyErrorLine(run)).toMatch(/^error: No AWS credentials \(.+\): set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
  });

  it('names a missing region in one line and exits 3', async () => {
    // Act
    const run = await runCli(['list', ...localTable(fixture.tableName)], cliEnvironment({ AWS_REGION: undefined }));

    // Assert
    expect(run.exitCode).toBe(3);
    expect(onlyErrorLine(run)).toBe('error: No AWS region: pass --region or set AWS_REGION (or a region in your AWS profile).');
  });

  it('names an endpoint where nothing listens in one line and exits 3', async () => {
    // Arrange: a port that was free a moment ago, so nothing answers there
    const endpoint = `http://127.0.0.1:${await findFreePort()}`;

    // Act
    const run = await runCli(['release', '--table', fixture.tableName, '--endpoint', endpoint, '--key', 'k']);

    // Assert
    expect(run.exitCode).toBe(3);
    expect(onlyErrorLine(run)).toBe(`error: Cannot reach DynamoDB at ${endpoint} (ECONNREFUSED).`);
  });

  it.each([
    ['no --table', ['inspect', '--key', 'k'], /^error: required option '--table <name>' not specified$/],
    ['neither --key nor --id', ['inspect', ...localTableArgs()], /^error: Name the record with --key .* or with --id\.$/],
    [
      'both --key and --id',
      ['release', ...localTableArgs(), '--key', 'k', '--id', 'abc'],
      /^error: option '--id <record id>' cannot be used with option '--key <key>'$/,
    ],
    [
      'a key the library rejects',
      ['inspect', ...localTableArgs(), '--key', ''],
      /^error: --key: The idempotency key must not be empty; no record can have it\.$/,
    ],
    ['an unknown status', ['list', ...localTableArgs(), '--status', 'DONE'], /^error: option '--status <status>' argument 'DONE' is invalid\./],
    [
      'a page size that is not a positive integer',
      ['list', ...localTableArgs(), '--page-size', '0'],
      /^error: option '--page-size <items>' argument '0' is invalid\./,
    ],
    ['an endpoint that is not a URL', ['list', '--table', 't-1', '--endpoint', 'localhost:8000'], /^error: --endpoint must be an http or https URL/],
    ['an unknown command', ['purge', '--table', 't-1'], /^error: unknown command 'purge'$/],
  ])('exits 2 with one line on bad usage: %s', async (_label, args, expected) => {
    // Act
    const run = await runCli(args);

    // Assert
    expect(run.exitCode).toBe(2);
    expect(onlyErrorLine(run)).toMatch(expected);
  });
});

// Bad usage stops the tool before any request, so these need no table, and the loopback endpoint needs nothing listening.
function localTableArgs(): string[] {
  return ['--table', 'usage-errors', '--endpoint', 'http://127.0.0.1:9'];
}
