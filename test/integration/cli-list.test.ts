import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Context } from 'aws-lambda';
import { createDynamoDBStore, deriveRecordId, makeIdempotent } from '../../lib/idempotency/index.js';
import { localTable, runCli } from '../support/cli-process.js';
import { createIdempotencyTable, createTestClient } from '../support/dynamodb.js';
import { createLambdaContext } from '../support/lambda-context.js';

const client = createTestClient();
let tableName: string;
const completedIds: string[] = [];
const inProgressIds: string[] = [];

/** The data rows of `list`'s text output (its first line is the header). */
const rows = (stdout: string) => stdout.trim().split('\n').slice(1);

// A table of its own, so the listing holds exactly these five records: three completed, two held by running claims.
beforeAll(async () => {
  tableName = await createIdempotencyTable(client);
  const store = createDynamoDBStore({ tableName, client });
  const charge = makeIdempotent(async (input: { paymentId: string }, _context: Context) => ({ charged: input.paymentId }), {
    store,
    key: (input) => input.paymentId,
    namespace: 'charge',
  });
  for (const paymentId of ['p-1', 'p-2', 'p-3']) {
    await charge({ paymentId }, createLambdaContext({ functionName: 'payments' }));
    completedIds.push(deriveRecordId({ functionName: 'payments', namespace: 'charge', clientKey: paymentId }));
  }
  for (const paymentId of ['p-4', 'p-5']) {
    const id = deriveRecordId({ functionName: 'payments', namespace: 'charge', clientKey: paymentId });
    const nowMs = Date.now();
    await store.claim({ id, nowMs, leaseExpiresAtEpochMs: nowMs + 600_000, expiresAtEpochSeconds: Math.ceil(nowMs / 1000) + 3600 });
    inProgressIds.push(id);
  }
});

afterAll(() => client.destroy());

describe('lambda-idempotency list', () => {
  it('lists every record with its status, lease end and retention end', async () => {
    // Act
    const run = await runCli(['list', ...localTable(tableName)]);

    // Assert
    expect(run.exitCode).toBe(0);
    expect(run.stdout.split('\n')[0]).toMatch(/^RECORD ID +STATUS +LEASE END +RETENTION END$/);
    const listed = rows(run.stdout).map((row) => row.split(/ +/));
    expect(listed.map(([id]) => id).sort()).toEqual([...completedIds, ...inProgressIds].sort());
    for (const [id, status, leaseEnd, retentionEnd] of listed) {
      expect(status).toBe(completedIds.includes(id as string) ? 'COMPLETED' : 'IN_PROGRESS');
      expect(leaseEnd).toEqual(status === 'COMPLETED' ? '-' : expect.stringMatching(/^\d{4}-.+Z$/));
      expect(Date.parse(retentionEnd as string)).toBeGreaterThan(Date.now());
    }
  });

  it.each([
    ['IN_PROGRESS', inProgressIds],
    ['COMPLETED', completedIds],
  ])('lists only the %s records with --status, as JSON lines with --json', async (status, expected) => {
    // Act
    const run = await runCli(['list', ...localTable(tableName), '--status', status, '--json']);

    // Assert
    expect(run.exitCode).toBe(0);
    const listed = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(listed.map((record) => record.id).sort()).toEqual([...expected].sort());
    for (const record of listed) {
      expect(record.status).toBe(status);
      expect(record.leaseExpiresAt === null).toBe(status === 'COMPLETED');
      expect(record.expiresAtEpochSeconds).toBe(Date.parse(record.expiresAt) / 1000);
    }
  });

  it('reports its progress on stderr page by page, and still lists every record on stdout', async () => {
    // Act
    const run = await runCli(['list', ...localTable(tableName), '--page-size', '2']);

    // Assert
    expect(run.exitCode).toBe(0);
    expect(rows(run.stdout)).toHaveLength(5);
    expect(run.stderr).toMatch(/^Scanned 2 items, listed 2, page 1; reading on\.\.\.$/m);
    expect(run.stderr).toMatch(/^Scanned 5 items, listed 5, in 3 pages\.$/m);
  });
});
