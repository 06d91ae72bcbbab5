import { describe, expect, it } from '@jest/globals';
import middy from '@middy/core';
import { createDynamoDBStore, idempotency } from '../../lib/idempotency/index.js';
import { createIdempotencyTable, createTestClient } from '../support/dynamodb.js';
import { createLambdaContext } from '../support/lambda-context.js';

describe('smoke', () => {
  it('runs once and replays', async () => {
    const client = createTestClient();
    const tableName = await createIdempotencyTable(client);
    const store = createDynamoDBStore({ tableName, client });
    let runs = 0;
    const handler = middy(async (event: { id: string }) => ({ run: ++runs, id: event.id })).use(idempotency({ store, key: (e) => e.id }));
    const first = await handler({ id: 'a' }, createLambdaContext());
    const second = await handler({ id: 'a' }, createLambdaContext());
    expect(first).toEqual({ run: 1, id: 'a' });
    expect(second).toEqual(first);
    expect(runs).toBe(1);
  });
});
