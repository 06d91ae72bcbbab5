import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoDBStore, IdempotencyInProgressError, type DynamoDBStore } from '../../lib/idempotency/index.js';
import { adapters } from '../support/adapters.js';
import { createIdempotencyTable, createTestClient } from '../support/dynamodb.js';
import { createLambdaContext } from '../support/lambda-context.js';

let client: DynamoDBClient;
let store: DynamoDBStore;

beforeAll(async () => {
  client = createTestClient();
  store = createDynamoDBStore({ tableName: await createIdempotencyTable(client), client });
});
afterAll(() => client.destroy());

describe.each(adapters)('concurrent duplicates through the %s', (name, wrap) => {
  it('runs each of 100 keys exactly once under 10 overlapping duplicates each', async () => {
    // Arrange
    const executions = new Map<string, number>();
    const handler = wrap(
      async (event: { orderId: string }) => {
        executions.set(event.orderId, (executions.get(event.orderId) ?? 0) + 1);
        // Hold the claim long enough that the duplicates really overlap it.
        await new Promise((resolve) => setTimeout(resolve, 20));
        return { orderId: event.orderId, placedBy: name };
      },
      { store, key: (event) => event.orderId },
    );
    const keys = Array.from({ length: 100 }, (_, index) => `${name}-order-${index}-${Math.random().toString(36).slice(2)}`);

    // Act
    const answers = await Promise.all(
      keys.flatMap((orderId) =>
        Array.from({ length: 10 }, () =>
          handler({ orderId }, createLambdaContext()).then(
            (value) => ({ orderId, value }),
            (error: unknown) => ({ orderId, error }),
          ),
        ),
      ),
    );

    // Assert
    expect(executions.size).toBe(100);
    expect([...executions.values()].every((count) => count === 1)).toBe(true);
    for (const answer of answers) {
      if ('error' in answer) expect(answer.error).toBeInstanceOf(IdempotencyInProgressError);
      else expect(answer.value).toEqual({ orderId: answer.orderId, placedBy: name });
    }
    const replays = await Promise.all(keys.map((orderId) => handler({ orderId }, createLambdaContext())));
    expect(replays).toEqual(keys.map((orderId) => ({ orderId, placedBy: name })));
    expect([...executions.values()].every((count) => count === 1)).toBe(true);
  });
});
