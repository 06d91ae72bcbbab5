import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetItemCommand, ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { completeWithTransaction, createDynamoDBStore, idempotency, type DynamoDBStore, type IdempotencyOutcome } from '../../lib/idempotency/index.js';
import { completeWithWrites } from '../../lib/idempotency/store/dynamodb-transaction.js';
import type { ClaimRequest } from '../../lib/idempotency/store/store.js';
import { createLayoutTable, createOrdersTable, createTestClient, layoutKey, tableLayouts, type TableLayout } from '../support/dynamodb.js';
import { dropReturnedOldItems, faultKinds, injectFaults, stepCommands, type LifecycleStep } from '../support/fault-injector.js';
import { createLambdaContext } from '../support/lambda-context.js';

// Every test here loses the answer to a write that DynamoDB Local applied, inside the SDK's retry loop: the SDK then
// sends the same request again, and the write must recognise its own earlier attempt by its lease token.
let client: DynamoDBClient;
let tableName: string;
let layout: TableLayout;
let ordersTable: string;
const fresh = () => `retry-${Math.random().toString(36).slice(2)}`;
const startMs = Date.now();
const claimRequest = (id: string): ClaimRequest => ({
  id,
  nowMs: startMs,
  leaseExpiresAtEpochMs: startMs + 60_000,
  expiresAtEpochSeconds: Math.ceil(startMs / 1000) + 3_600,
});
const kinds = Object.keys(faultKinds) as Array<keyof typeof faultKinds>;

beforeAll(async () => {
  client = createTestClient();
  ordersTable = await createOrdersTable(client);
});
afterAll(() => client.destroy());

/** A store whose first call at `step` is applied by DynamoDB Local, then answered with `kind` inside the SDK's retries. */
function storeLosingFirstResponse(step: LifecycleStep, kind: keyof typeof faultKinds): { store: DynamoDBStore; faults: string[]; destroy: () => void } {
  const faulty = createTestClient();
  const faults: string[] = [];
  injectFaults(faulty, {
    commands: [stepCommands[step]],
    error: faultKinds[kind],
    loses: 'response-lost',
    at: 'inside-retries',
    times: 1,
    onFault: (name) => faults.push(name),
  });
  return { store: createDynamoDBStore({ tableName, client: faulty, ...layout }), faults, destroy: () => faulty.destroy() };
}

const readItem = async (id: string) => (await client.send(new GetItemCommand({ TableName: tableName, Key: layoutKey(id, layout), ConsistentRead: true }))).Item;

// Each table layout in turn: the module-level table and layout belong to the describe block that runs.
describe.each(tableLayouts)('on a table keyed by a %s', (_name, tableLayout) => {
  beforeAll(async () => {
    layout = tableLayout;
    tableName = await createLayoutTable(client, layout);
  });

  describe.each(kinds)('a write whose first answer was lost to %s inside the SDK retries', (kind) => {
    it('claims the key for the caller whose claim it is', async () => {
      // Arrange
      const { store, faults, destroy } = storeLosingFirstResponse('claim', kind);
      const id = fresh();

      // Act
      const answer = await store.claim(claimRequest(id));

      // Assert
      expect(faults).toEqual(['PutItemCommand']);
      expect(answer.kind).toBe('claimed');
      expect(answer.kind === 'claimed' && (await readItem(id))?.lease_token?.S).toBe(answer.kind === 'claimed' ? answer.claim.leaseToken : 'unreachable');
      destroy();
    });

    it('reports the completion as completed, with the result stored', async () => {
      // Arrange
      const { store, faults, destroy } = storeLosingFirstResponse('complete', kind);
      const claimed = await store.claim(claimRequest(fresh()));
      if (claimed.kind !== 'claimed') throw new Error('expected a claim');

      // Act
      const answer = await store.complete(claimed.claim, { paid: true });

      // Assert
      expect(faults).toEqual(['UpdateItemCommand']);
      expect(answer).toEqual({ kind: 'completed', resultStored: true });
      expect((await readItem(claimed.claim.id))?.data?.S).toBe('{"paid":true}');
      destroy();
    });

    it('reports the release as done', async () => {
      // Arrange
      const { store, faults, destroy } = storeLosingFirstResponse('release', kind);
      const claimed = await store.claim(claimRequest(fresh()));
      if (claimed.kind !== 'claimed') throw new Error('expected a claim');

      // Act
      const answer = await store.release(claimed.claim);

      // Assert
      expect(faults).toEqual(['DeleteItemCommand']);
      expect(answer).toBe('done');
      expect(await readItem(claimed.claim.id)).toBeUndefined();
      destroy();
    });

    it('reports the transactional completion as completed, with the writes made once', async () => {
      // Arrange
      const { store, faults, destroy } = storeLosingFirstResponse('transaction', kind);
      const claimed = await store.claim(claimRequest(fresh()));
      if (claimed.kind !== 'claimed') throw new Error('expected a claim');
      const orderId = fresh();
      const put = { Put: { TableName: ordersTable, Item: { orderId: { S: orderId } }, ConditionExpression: 'attribute_not_exists(orderId)' } };

      // Act
      const answer = await completeWithWrites(store, claimed.claim, { orderId }, [put]);

      // Assert
      expect(faults).toEqual(['TransactWriteItemsCommand']);
      expect(answer).toEqual({ kind: 'completed', resultStored: true });
      expect((await readItem(claimed.claim.id))?.status?.S).toBe('COMPLETED');
      destroy();
    });
  });

  describe('a backend that returns no old item on a failed condition', () => {
    it('still recognises an applied claim, completion and release by reading the record back', async () => {
      // Arrange
      const faulty = createTestClient();
      dropReturnedOldItems(faulty);
      const commands = [stepCommands.claim, stepCommands.complete, stepCommands.release];
      injectFaults(faulty, { commands, error: faultKinds.timeout, loses: 'response-lost', at: 'inside-retries', times: 4 });
      const lossy = createDynamoDBStore({ tableName, client: faulty, ...layout });

      // Act
      const completedClaim = await lossy.claim(claimRequest(fresh()));
      const releasedClaim = await lossy.claim(claimRequest(fresh()));
      if (completedClaim.kind !== 'claimed' || releasedClaim.kind !== 'claimed')
        throw new Error(`expected two claims, got ${completedClaim.kind} and ${releasedClaim.kind}`);
      const completion = await lossy.complete(completedClaim.claim, 'paid');
      const release = await lossy.release(releasedClaim.claim);

      // Assert
      expect(completion).toEqual({ kind: 'completed', resultStored: true });
      expect(release).toBe('done');
      expect((await readItem(completedClaim.claim.id))?.status?.S).toBe('COMPLETED');
      expect(await readItem(releasedClaim.claim.id)).toBeUndefined();
      faulty.destroy();
    });
  });

  describe('a handler whose claim and completion answers were lost inside the SDK retries', () => {
    it('runs once, answers its caller, reports claimed and completed, and replays to a duplicate', async () => {
      // Arrange
      const faulty = createTestClient();
      injectFaults(faulty, {
        commands: [stepCommands.claim, stepCommands.transaction],
        error: faultKinds['dropped connection'],
        loses: 'response-lost',
        at: 'inside-retries',
        times: 2,
      });
      const outcomes: IdempotencyOutcome['type'][] = [];
      let runs = 0;
      const handler = middy(async (event: { key: string }, context: Context) => {
        runs += 1;
        const result = { key: event.key, run: runs };
        await completeWithTransaction(context, { writes: [{ Put: { TableName: ordersTable, Item: { orderId: { S: event.key } } } }], result });
        return result;
      }).use(
        idempotency({
          store: createDynamoDBStore({ tableName, client: faulty, ...layout }),
          key: (event: { key: string }) => event.key,
          onOutcome: (outcome) => outcomes.push(outcome.type),
        }),
      );
      const key = fresh();

      // Act
      const first = await handler({ key }, createLambdaContext());
      const duplicate = await handler({ key }, createLambdaContext());

      // Assert
      expect(first).toEqual({ key, run: 1 });
      expect(duplicate).toEqual(first);
      expect(runs).toBe(1);
      expect(outcomes).toEqual(['claimed', 'completed', 'replayed']);
      const orders = await client.send(
        new ScanCommand({
          TableName: ordersTable,
          ConsistentRead: true,
          FilterExpression: 'orderId = :key',
          ExpressionAttributeValues: { ':key': { S: key } },
        }),
      );
      expect(orders.Count).toBe(1);
      faulty.destroy();
    });
  });
});
