import { describe, expect, it } from '@jest/globals';
import { ConditionalCheckFailedException, DeleteItemCommand, PutItemCommand, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { releaseDeleteCondition } from '../../lib/cli/release-command.js';
import {
  deriveRecordId,
  dynamoDBStoreDefaults,
  httpIdempotency,
  readCallerScope,
  step,
  type IdempotencyRecord,
  type IdempotencyStore,
} from '../../lib/idempotency/index.js';
import { createItemExpressions } from '../../lib/idempotency/store/dynamodb-expressions.js';
import { itemAttributeNames } from '../../lib/idempotency/store/dynamodb-item.js';
import { restEvent } from '../support/api-gateway-events.js';
import { localTable, onlyErrorLine, runCli } from '../support/cli-process.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { useStoreFixture } from '../support/store-fixture.js';
import { tableLayouts } from '../support/dynamodb.js';
import { waitFor } from '../support/wait-for.js';

const fixture = useStoreFixture();
const functionName = 'orders-create';
const namespace = 'create-order';
let keyCounter = 0;
const newKey = () => `cli-${Date.now()}-${++keyCounter}`;

// A REST request from a caller a Lambda authorizer named: the default scope of httpIdempotency is that identity.
const post = (key: string) =>
  restEvent({
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key },
    body: '{"sku":"a","qty":1}',
    requestContext: { authorizer: { principalId: 'user-1', tenantId: 't-1' } },
  });

/** The selector an operator types for `key`: the function's name, the namespace option and the caller scope of its request. */
const selector = (key: string) => ['--key', key, '--function', functionName, '--namespace', namespace, '--scope', readCallerScope(post(key)) as string];

/** The example's POST handler with httpIdempotency; it counts its runs and keeps the record ids its outcomes name. */
function orderApi(answer: (run: number, context: Context) => Promise<APIGatewayProxyResult>, store: IdempotencyStore = fixture.store) {
  let runs = 0;
  const recordIds: string[] = [];
  const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(
      httpIdempotency<APIGatewayProxyEvent, APIGatewayProxyResult>({
        store,
        namespace,
        waitForInProgressMs: 0,
        onOutcome: (outcome) => {
          if (outcome.recordId !== undefined) recordIds.push(outcome.recordId);
        },
      }),
    )
    .handler(async (_event, context) => answer(++runs, context));
  // A lease of ten minutes: a first call that stops answering holds its key that long.
  const invoke = (key: string) => handler(post(key), createLambdaContext({ functionName, remainingMs: 600_000 }));
  return { invoke, runs: () => runs, recordIds };
}

const created = (body: string): APIGatewayProxyResult => ({ statusCode: 201, headers: { 'Content-Type': 'application/json', Location: '/orders/o-1' }, body });

describe('lambda-idempotency inspect', () => {
  it('finds a completed HTTP record by key, function, namespace and caller scope, and shows its gzip-stored response', async () => {
    // Arrange: a body above the 1 KB compression threshold, so the record holds gzip
    const body = JSON.stringify({ orderId: 'o-1', lines: Array.from({ length: 60 }, (_, index) => ({ sku: `sku-${index}`, qty: index })) });
    const api = orderApi(async () => created(body));
    const key = newKey();
    await api.invoke(key);

    // Act
    const text = await runCli(['inspect', ...localTable(fixture.tableName), ...selector(key)]);
    const json = await runCli(['inspect', ...localTable(fixture.tableName), ...selector(key), '--json']);

    // Assert
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^Record {7}${api.recordIds[0]}$`, 'm'));
    expect(text.stdout).toMatch(/^Status {7}COMPLETED$/m);
    expect(text.stdout).toMatch(/^Fingerprint {2}[0-9a-f]{64}$/m);
    expect(text.stdout).toMatch(/^Result {7}HTTP 201 \(stored gzip-compressed\)$/m);
    expect(text.stdout).toMatch(/^Headers {6}Content-Type: application\/json$/m);
    expect(text.stdout).toMatch(/^ {13}Location: \/orders\/o-1$/m);
    expect(text.stdout).toContain('"sku": "sku-59"');
    expect(json.exitCode).toBe(0);
    expect(json.stdout.trim().split('\n')).toHaveLength(1);
    const view = JSON.parse(json.stdout);
    expect(view).toMatchObject({
      id: api.recordIds[0],
      status: 'COMPLETED',
      leaseExpiresAt: null,
      fingerprintHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      result: { kind: 'gzip', http: { status: 201, headers: { 'Content-Type': ['application/json'], Location: ['/orders/o-1'] }, body, bodyIsBase64: false } },
    });
    expect(Date.parse(view.expiresAt)).toBeGreaterThan(Date.now());
  });

  it('exits 1 with one line naming the record when no record has the key', async () => {
    // Act
    const run = await runCli(['inspect', ...localTable(fixture.tableName), ...selector('never-sent')]);

    // Assert
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe('');
    expect(onlyErrorLine(run)).toMatch(
      /^error: No record [0-9a-f]{64} \(key "never-sent", function "orders-create", namespace "create-order", scope ".+"\) in table/,
    );
  });
});

describe('lambda-idempotency release', () => {
  it('shows a stuck key as IN_PROGRESS, releases it, and the next request runs', async () => {
    // Arrange: the first request claims its key and never answers, as a hung invocation would
    let letFirstAnswer = () => {};
    const firstMayAnswer = new Promise<void>((resolve) => {
      letFirstAnswer = resolve;
    });
    const api = orderApi(async (run) => {
      if (run === 1) await firstMayAnswer;
      return created(JSON.stringify({ run }));
    });
    const key = newKey();
    const first = api.invoke(key);
    await waitFor(() => api.runs() === 1);
    const refused = await api.invoke(key);

    // Act
    const inspected = await runCli(['inspect', ...localTable(fixture.tableName), ...selector(key)]);
    const inspectedJson = await runCli(['inspect', ...localTable(fixture.tableName), ...selector(key), '--json']);
    const released = await runCli(['release', ...localTable(fixture.tableName), ...selector(key)]);
    const next = await api.invoke(key);
    letFirstAnswer();
    await first;
    const after = await runCli(['inspect', ...localTable(fixture.tableName), ...selector(key), '--json']);

    // Assert
    expect(refused.statusCode).toBe(409);
    expect(inspected.exitCode).toBe(0);
    expect(inspected.stdout).toMatch(/^Status {7}IN_PROGRESS$/m);
    expect(inspected.stdout).toMatch(/^Lease end {4}\S+Z \(in \d+ (s|min)\)$/m);
    expect(inspected.stdout).toMatch(/^Result {7}none yet \(in progress\)$/m);
    const view = JSON.parse(inspectedJson.stdout);
    expect(view).toMatchObject({ id: api.recordIds[0], status: 'IN_PROGRESS', result: null });
    expect(view.leaseExpiresAtEpochMs).toBeGreaterThan(Date.now());
    expect(released.exitCode).toBe(0);
    expect(released.stdout).toContain(`Deleted the IN_PROGRESS record ${api.recordIds[0]}`);
    expect(next).toMatchObject({ statusCode: 201, body: '{"run":2}' });
    expect(api.runs()).toBe(2);
    // The hung first call finished after the release: its lease was gone, so the second call's answer stays stored.
    expect(JSON.parse(after.stdout).result.http.body).toBe('{"run":2}');
  });

  it('refuses a COMPLETED record without --force, and with --force deletes it so the handler runs again', async () => {
    // Arrange
    const api = orderApi(async (run) => created(JSON.stringify({ run })));
    const key = newKey();
    await api.invoke(key);

    // Act
    const refused = await runCli(['release', ...localTable(fixture.tableName), ...selector(key)]);
    const stillThere = await runCli(['inspect', ...localTable(fixture.tableName), '--id', api.recordIds[0] as string]);
    const forced = await runCli(['release', ...localTable(fixture.tableName), ...selector(key), '--force', '--json']);
    const next = await api.invoke(key);

    // Assert
    expect(refused.exitCode).toBe(4);
    expect(onlyErrorLine(refused)).toMatch(/is COMPLETED: .*Pass --force to delete it\.$/);
    expect(stillThere.exitCode).toBe(0);
    expect(stillThere.stdout).toMatch(/^Result {7}HTTP 201$/m);
    expect(forced.exitCode).toBe(0);
    expect(JSON.parse(forced.stdout)).toEqual({ action: 'deleted', id: api.recordIds[0], status: 'COMPLETED' });
    expect(next).toMatchObject({ statusCode: 201, body: '{"run":2}' });
    expect(api.runs()).toBe(2);
  });

  it('deletes nothing when the record was claimed again since it was read: the condition release sends', async () => {
    // Arrange: a claim whose lease has ended is read, then a new invocation takes the key over
    const id = deriveRecordId({ functionName, namespace, clientKey: newKey() });
    const nowMs = Date.now();
    const claim = { id, nowMs, expiresAtEpochSeconds: Math.ceil(nowMs / 1000) + 3600 };
    await fixture.store.claim({ ...claim, leaseExpiresAtEpochMs: nowMs - 1 });
    const read = (await fixture.store.get(id)) as IdempotencyRecord;
    const takeover = await fixture.store.claim({ ...claim, leaseExpiresAtEpochMs: nowMs + 600_000 });
    const names = itemAttributeNames(dynamoDBStoreDefaults.keyAttribute, dynamoDBStoreDefaults.expiryAttribute);

    // Act
    const deleting = fixture.client.send(
      new DeleteItemCommand({ TableName: fixture.tableName, Key: { id: { S: id } }, ...createItemExpressions(names).unchangedSince(read) }),
    );

    // Assert
    expect(takeover.kind).toBe('claimed');
    await expect(deleting).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    expect((await fixture.store.get(id))?.leaseToken).toBe(takeover.kind === 'claimed' ? takeover.claim.leaseToken : undefined);
  });

  it('exits 1 with one line when the selector names no record', async () => {
    // Act
    const run = await runCli(['release', ...localTable(fixture.tableName), '--id', 'f'.repeat(64)]);

    // Assert
    expect(run.exitCode).toBe(1);
    expect(onlyErrorLine(run)).toBe(`error: No record ${'f'.repeat(64)} in table '${fixture.tableName}'.`);
  });
});

/**
 * The POST handler charging through the step `charge` before it answers; its first run stops after the charge until
 * `letFirstAnswer`, as an invocation that hangs or dies after a side effect would.
 */
function chargingOrderApi(store?: IdempotencyStore) {
  let charges = 0;
  let charged = 0;
  let letFirstAnswer = () => {};
  const firstMayAnswer = new Promise<void>((resolve) => {
    letFirstAnswer = resolve;
  });
  const api = orderApi(async (run, context) => {
    const charge = await step(context, 'charge', async () => ({ chargeId: `ch-${++charges}` }));
    charged += 1;
    if (run === 1) await firstMayAnswer;
    return created(JSON.stringify({ run, chargeId: charge.chargeId }));
  }, store);
  return { ...api, charges: () => charges, charged: () => charged, letFirstAnswer };
}

/** A request whose first run charged (its step stored) and hangs until `api.letFirstAnswer()`. */
async function hungAfterCharge(store?: IdempotencyStore) {
  const api = chargingOrderApi(store);
  const key = newKey();
  const first = api.invoke(key);
  await waitFor(() => api.charged() === 1);
  return { api, key, first };
}

describe('lambda-idempotency on a record holding steps', () => {
  it('inspect names the steps; release ends the lease and keeps them, so the next request resumes without charging again', async () => {
    // Arrange: the first request charged (step stored) and hangs
    const { api, key, first } = await hungAfterCharge();

    // Act
    const inspected = await runCli(['inspect', ...localTable(fixture.tableName), ...selector(key)]);
    const inspectedJson = await runCli(['inspect', ...localTable(fixture.tableName), ...selector(key), '--json']);
    const released = await runCli(['release', ...localTable(fixture.tableName), ...selector(key)]);
    const afterRelease = await runCli(['inspect', ...localTable(fixture.tableName), ...selector(key), '--json']);
    const next = await api.invoke(key);
    api.letFirstAnswer();
    await first;

    // Assert
    expect(inspected.stdout).toMatch(/^Steps {8}charge \(completed: a retry gets their results back\)$/m);
    expect(JSON.parse(inspectedJson.stdout)).toMatchObject({ status: 'IN_PROGRESS', steps: [{ name: 'charge', json: '{"chargeId":"ch-1"}' }] });
    expect(released.exitCode).toBe(0);
    expect(released.stdout).toContain(`Ended the lease of the IN_PROGRESS record ${api.recordIds[0]}`);
    expect(released.stdout).toContain('kept its 1 completed step (charge)');
    const kept = JSON.parse(afterRelease.stdout);
    expect(kept).toMatchObject({ status: 'IN_PROGRESS', steps: [{ name: 'charge', json: '{"chargeId":"ch-1"}' }] });
    expect(kept.leaseExpiresAtEpochMs).toBeLessThanOrEqual(Date.now());
    expect(next).toMatchObject({ statusCode: 201, body: '{"run":2,"chargeId":"ch-1"}' });
    expect(api.charges()).toBe(1);
  });

  it('release --force deletes the record with its steps and says so; the next request charges again', async () => {
    // Arrange
    const { api, key, first } = await hungAfterCharge();

    // Act
    const text = await runCli(['release', ...localTable(fixture.tableName), ...selector(key), '--force']);
    const next = await api.invoke(key);
    api.letFirstAnswer();
    await first;

    // Assert
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toContain(`Deleted the IN_PROGRESS record ${api.recordIds[0]} with its 1 completed step (charge), which the next request runs again`);
    expect(next).toMatchObject({ statusCode: 201, body: '{"run":2,"chargeId":"ch-2"}' });
    expect(api.charges()).toBe(2);
  });

  it('release --force --json names the deleted steps', async () => {
    // Arrange
    const { api, key, first } = await hungAfterCharge();

    // Act
    const json = await runCli(['release', ...localTable(fixture.tableName), ...selector(key), '--force', '--json']);
    api.letFirstAnswer();
    await first;

    // Assert
    expect(JSON.parse(json.stdout)).toEqual({ action: 'deleted', id: api.recordIds[0], status: 'IN_PROGRESS', steps: ['charge'] });
  });

  it('deletes nothing when a step was saved after the record was read without steps: the condition release sends', async () => {
    // Arrange: a claim read before its first step, then the step saved
    const id = deriveRecordId({ functionName, namespace, clientKey: newKey() });
    const nowMs = Date.now();
    const claimed = await fixture.store.claim({ id, nowMs, leaseExpiresAtEpochMs: nowMs + 600_000, expiresAtEpochSeconds: Math.ceil(nowMs / 1000) + 3600 });
    const read = (await fixture.store.get(id)) as IdempotencyRecord;
    if (claimed.kind !== 'claimed') throw new Error('expected a claim');
    const saved = await fixture.store.saveStep(claimed.claim, 'charge', '{"chargeId":"ch-1"}');
    const names = itemAttributeNames(dynamoDBStoreDefaults.keyAttribute, dynamoDBStoreDefaults.expiryAttribute);

    // Act
    const deleting = fixture.client.send(
      new DeleteItemCommand({ TableName: fixture.tableName, Key: { id: { S: id } }, ...releaseDeleteCondition(names, read, false) }),
    );

    // Assert
    expect(saved).toBe('done');
    await expect(deleting).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    expect((await fixture.store.get(id))?.leaseToken).toBe(claimed.claim.leaseToken);
  });
});

describe('lambda-idempotency on a table whose key has a sort key', () => {
  const layout = tableLayouts[1]![1];
  const sortKeyTable = useStoreFixture(layout);
  const keyFlags = () => ['--key-attribute', layout.keyAttribute, '--sort-key-attribute', layout.sortKeyAttribute as string];

  it('inspects and releases a record with steps through the table key, and lists it by record id beside the other items', async () => {
    // Arrange: the first request charged (step stored) and hangs; the table also holds an item of another type.
    const { api, key, first } = await hungAfterCharge(sortKeyTable.store);
    const other = { [layout.keyAttribute]: { S: `customer#${newKey()}` }, [layout.sortKeyAttribute as string]: { S: 'profile' } };
    await sortKeyTable.client.send(new PutItemCommand({ TableName: sortKeyTable.tableName, Item: other }));

    // Act
    const inspected = await runCli(['inspect', ...localTable(sortKeyTable.tableName), ...keyFlags(), ...selector(key), '--json']);
    const listed = await runCli(['list', ...localTable(sortKeyTable.tableName), ...keyFlags(), '--json']);
    const released = await runCli(['release', ...localTable(sortKeyTable.tableName), ...keyFlags(), ...selector(key), '--json']);
    const next = await api.invoke(key);
    api.letFirstAnswer();
    await first;

    // Assert
    expect(inspected.exitCode).toBe(0);
    expect(JSON.parse(inspected.stdout)).toMatchObject({ id: api.recordIds[0], status: 'IN_PROGRESS', steps: [{ name: 'charge' }] });
    expect(
      listed.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).id),
    ).toEqual([api.recordIds[0]]);
    expect(JSON.parse(released.stdout)).toEqual({ action: 'lease-ended', id: api.recordIds[0], status: 'IN_PROGRESS', steps: ['charge'] });
    expect(next).toMatchObject({ statusCode: 201, body: '{"run":2,"chargeId":"ch-1"}' });
    expect(api.charges()).toBe(1);
  });
});

describe('lambda-idempotency inspect on a record the library cannot read', () => {
  /** Completes a request for a fresh key, then applies `update` (an UpdateItem expression) to its record, as a bad migration would. */
  async function damagedRecord(update: {
    UpdateExpression: string;
    ExpressionAttributeNames: Record<string, string>;
    ExpressionAttributeValues?: Record<string, AttributeValue>;
  }) {
    const api = orderApi(async () => created('{"orderId":"o-1"}'));
    const key = newKey();
    await api.invoke(key);
    const id = api.recordIds[0] as string;
    await fixture.client.send(new UpdateItemCommand({ TableName: fixture.tableName, Key: { id: { S: id } }, ...update }));
    return { key, id };
  }

  it('shows a result that is not gzip as unreadable, and the rest of the record as stored', async () => {
    // Arrange
    const { id } = await damagedRecord({
      UpdateExpression: 'SET #data = :bytes',
      ExpressionAttributeNames: { '#data': 'data' },
      ExpressionAttributeValues: { ':bytes': { B: Uint8Array.from([0x1f, 0x8b, 8, 0, 1, 2, 3]) } },
    });

    // Act
    const run = await runCli(['inspect', ...localTable(fixture.tableName), '--id', id]);

    // Assert
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^Status {7}COMPLETED$/m);
    expect(run.stdout).toMatch(/^Result {7}unreadable: Idempotency record [0-9a-f]{64} cannot be read: its result is not gzip/m);
  });

  it('names a record without a status in one line and exits 3', async () => {
    // Arrange
    const { key, id } = await damagedRecord({ UpdateExpression: 'REMOVE #status', ExpressionAttributeNames: { '#status': 'status' } });

    // Act
    const run = await runCli(['release', ...localTable(fixture.tableName), ...selector(key)]);

    // Assert
    expect(run.exitCode).toBe(3);
    expect(onlyErrorLine(run)).toBe(`error: Idempotency record ${id} cannot be read: its status attribute is missing or unreadable`);
  });
});
