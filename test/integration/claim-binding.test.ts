import { beforeAll, describe, expect, it } from '@jest/globals';
import { GetItemCommand, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { completeWithTransaction, createSqsBatchHandler, idempotency, IdempotencyClaimAmbiguousError, makeIdempotent } from '../../lib/idempotency/index.js';
import { createOrdersTable } from '../support/dynamodb.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { createSqsEvent, createSqsRecord, failedMessageIds } from '../support/sqs-events.js';
import { useStoreFixture } from '../support/store-fixture.js';

// completeWithTransaction must complete the claim of the call it runs inside, whichever other claims share the context.
const fixture = useStoreFixture();
let ordersTable: string;
beforeAll(async () => {
  ordersTable = await createOrdersTable(fixture.client);
});

const fresh = () => Math.random().toString(36).slice(2);
const putOrder = (orderId: string, note: string): TransactWriteItem => ({
  Put: { TableName: ordersTable, Item: { orderId: { S: orderId }, note: { S: note } }, ConditionExpression: 'attribute_not_exists(orderId)' },
});
const orderNote = async (orderId: string) =>
  (await fixture.client.send(new GetItemCommand({ TableName: ordersTable, Key: { orderId: { S: orderId } }, ConsistentRead: true }))).Item?.note?.S;
/** A barrier: `arrive()` resolves once `parties` callers arrived, so each holds its claim before any commits. */
const createBarrier = (parties: number) => {
  let arrived = 0;
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return {
    arrive: async () => {
      arrived += 1;
      if (arrived === parties) open();
      await opened;
    },
  };
};

describe('completeWithTransaction completes the claim of the call it runs inside', () => {
  it('keeps two concurrent wrapped calls on one Lambda context apart', async () => {
    // Arrange
    const runs = { A: 0, B: 0 };
    const barrier = createBarrier(2);
    const placeWith = (note: 'A' | 'B') => async (input: { id: string }, context: Context) => {
      runs[note] += 1;
      await barrier.arrive();
      const result = { id: input.id, by: note };
      await completeWithTransaction(context, { writes: [putOrder(input.id, note)], result });
      return result;
    };
    const placeA = makeIdempotent(placeWith('A'), { store: fixture.store, key: (input) => input.id, namespace: 'place-a' });
    const placeB = makeIdempotent(placeWith('B'), { store: fixture.store, key: (input) => input.id, namespace: 'place-b' });
    const context = createLambdaContext();
    const [idA, idB] = [fresh(), fresh()];

    // Act
    const firsts = await Promise.all([placeA({ id: idA }, context), placeB({ id: idB }, context)]);
    const replays = await Promise.all([placeA({ id: idA }, createLambdaContext()), placeB({ id: idB }, createLambdaContext())]);

    // Assert
    expect(firsts).toEqual([
      { id: idA, by: 'A' },
      { id: idB, by: 'B' },
    ]);
    expect(replays).toEqual(firsts);
    expect(runs).toEqual({ A: 1, B: 1 });
    expect([await orderNote(idA), await orderNote(idB)]).toEqual(['A', 'B']);
  });

  it('keeps an outer Middy claim intact around a wrapped call nested on the same context', async () => {
    // Arrange
    let innerRuns = 0;
    const reserve = makeIdempotent(
      async (input: { id: string }, context: Context) => {
        innerRuns += 1;
        const result = { reserved: input.id };
        await completeWithTransaction(context, { writes: [putOrder(`${input.id}-stock`, 'inner')], result });
        return result;
      },
      { store: fixture.store, key: (input) => input.id, namespace: 'reserve' },
    );
    let outerRuns = 0;
    const handler = middy(async (event: { id: string }, context: Context) => {
      outerRuns += 1;
      const reserved = await reserve({ id: event.id }, context);
      const result = { placed: event.id, ...reserved };
      await completeWithTransaction(context, { writes: [putOrder(event.id, 'outer')], result });
      return result;
    }).use(idempotency<{ id: string }>({ store: fixture.store, key: (event) => event.id, namespace: 'place' }));
    const id = fresh();

    // Act
    const first = await handler({ id }, createLambdaContext());
    const replay = await handler({ id }, createLambdaContext());
    const innerReplay = await reserve({ id }, createLambdaContext());

    // Assert
    expect(first).toEqual({ placed: id, reserved: id });
    expect(replay).toEqual(first);
    expect(innerReplay).toEqual({ reserved: id });
    expect({ outerRuns, innerRuns }).toEqual({ outerRuns: 1, innerRuns: 1 });
    expect([await orderNote(id), await orderNote(`${id}-stock`)]).toEqual(['outer', 'inner']);
  });

  it('keeps a wrapped call nested in another wrapped call on the same context apart from it', async () => {
    // Arrange
    const inner = makeIdempotent(
      async (input: { id: string }, context: Context) => {
        await completeWithTransaction(context, { writes: [putOrder(`${input.id}-inner`, 'inner')], result: 'inner' });
        return 'inner';
      },
      { store: fixture.store, key: (input) => input.id, namespace: 'inner' },
    );
    const outer = makeIdempotent(
      async (input: { id: string }, context: Context) => {
        const before = await inner(input, context);
        await completeWithTransaction(context, { writes: [putOrder(input.id, 'outer')], result: `outer after ${before}` });
        return `outer after ${before}`;
      },
      { store: fixture.store, key: (input) => input.id, namespace: 'outer' },
    );
    const id = fresh();

    // Act
    const first = await outer({ id }, createLambdaContext());

    // Assert
    expect(first).toBe('outer after inner');
    expect(await outer({ id }, createLambdaContext())).toBe(first);
    expect(await inner({ id }, createLambdaContext())).toBe('inner');
    expect([await orderNote(id), await orderNote(`${id}-inner`)]).toEqual(['outer', 'inner']);
  });

  it('refuses with a typed error, writing nothing, when two Middy invocations share the context it is given', async () => {
    // Arrange
    const errors: unknown[] = [];
    const barrier = createBarrier(2);
    const handler = middy(async (event: { id: string }, context: Context) => {
      await barrier.arrive();
      try {
        await completeWithTransaction(context, { writes: [putOrder(event.id, 'ambiguous')], result: 'x' });
      } catch (error) {
        errors.push(error);
      }
      return 'done';
    }).use(idempotency<{ id: string }>({ store: fixture.store, key: (event) => event.id, namespace: 'shared-context' }));
    const context = createLambdaContext();
    const [idA, idB] = [fresh(), fresh()];

    // Act
    await Promise.all([handler({ id: idA }, context), handler({ id: idB }, context)]);

    // Assert
    expect(errors).toHaveLength(2);
    for (const error of errors) expect(error).toBeInstanceOf(IdempotencyClaimAmbiguousError);
    expect([await orderNote(idA), await orderNote(idB)]).toEqual([undefined, undefined]);
  });

  it('refuses the context but completes through the Middy request when a Middy handler runs inside a wrapped call', async () => {
    // Arrange
    const seen: unknown[] = [];
    const nested = middy(async (event: { id: string }, context: Context) => {
      try {
        await completeWithTransaction(context, { writes: [putOrder(event.id, 'by-context')], result: 'x' });
      } catch (error) {
        seen.push(error);
      }
      return 'by-request';
    }).use(idempotency<{ id: string }>({ store: fixture.store, key: (event) => event.id, namespace: 'middy-in-wrapper' }));
    nested.after(async (request) => {
      await completeWithTransaction(request, { writes: [putOrder(request.event.id, 'by-request')], result: request.response });
    });
    const around = makeIdempotent(async (input: { id: string }, context: Context) => nested(input, context), {
      store: fixture.store,
      key: (input) => `outer-${input.id}`,
      namespace: 'wrapper-around-middy',
    });
    const id = fresh();

    // Act
    const first = await around({ id }, createLambdaContext());
    const replay = await nested({ id }, createLambdaContext());

    // Assert
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(IdempotencyClaimAmbiguousError);
    expect(first).toBe('by-request');
    expect(replay).toBe('by-request');
    expect(await orderNote(id)).toBe('by-request');
  });

  it('keeps each SQS record on its own claim', async () => {
    // Arrange
    const handler = createSqsBatchHandler(
      async (record, context) => {
        const result = { handled: record.messageId };
        await completeWithTransaction(context, { writes: [putOrder(record.messageId, record.body)], result });
        return result;
      },
      { store: fixture.store, namespace: `sqs-${fresh()}` },
    );
    const ids = [fresh(), fresh(), fresh()];
    const event = createSqsEvent(ids.map((id) => createSqsRecord(id, { body: `body-${id}` })));

    // Act
    const first = await handler(event, createLambdaContext());
    const second = await handler(event, createLambdaContext());

    // Assert
    expect(failedMessageIds(first)).toEqual([]);
    expect(failedMessageIds(second)).toEqual([]);
    expect(await Promise.all(ids.map(orderNote))).toEqual(ids.map((id) => `body-${id}`));
  });
});
