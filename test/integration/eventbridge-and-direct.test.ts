import { describe, expect, it } from '@jest/globals';
import type { EventBridgeEvent } from 'aws-lambda';
import { IdempotencyKeyError, IdempotencyPayloadMismatchError } from '../../lib/idempotency/index.js';
import { adapters } from '../support/adapters.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { useStoreFixture } from '../support/store-fixture.js';

type OrderPlaced = EventBridgeEvent<'OrderPlaced', { orderId: string }>;

interface ChargeRequest {
  requestId: string;
  cents: number;
}

const fixture = useStoreFixture();
let nextId = 0;
const freshId = (label: string) => `${label}-${++nextId}-${Math.random().toString(36).slice(2)}`;

function createOrderPlaced(id: string, orderId = 'order-1'): OrderPlaced {
  return {
    version: '0',
    id,
    'detail-type': 'OrderPlaced',
    source: 'orders',
    account: '000000000000',
    time: '2026-11-25T18:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: { orderId },
  };
}

describe.each(adapters)('EventBridge through the %s', (_name, wrap) => {
  const createHandler = () => {
    let runs = 0;
    const handler = wrap(async (event: OrderPlaced) => ({ shipped: event.detail.orderId, run: ++runs }), {
      store: fixture.store,
      key: (event) => event.id,
      namespace: 'ship-order',
    });
    return { handler, runs: () => runs };
  };

  it('runs a redelivered event with the same id once and returns the first result', async () => {
    // Arrange
    const { handler, runs } = createHandler();
    const event = createOrderPlaced(freshId('event'));

    // Act
    const first = await handler(event, createLambdaContext());
    const redelivered = await handler(structuredClone(event), createLambdaContext());

    // Assert
    expect(first).toEqual({ shipped: 'order-1', run: 1 });
    expect(redelivered).toEqual(first);
    expect(runs()).toBe(1);
  });

  it('runs an event with another id', async () => {
    // Arrange
    const { handler, runs } = createHandler();

    // Act
    await handler(createOrderPlaced(freshId('event')), createLambdaContext());
    const other = await handler(createOrderPlaced(freshId('event')), createLambdaContext());

    // Assert
    expect(other).toEqual({ shipped: 'order-1', run: 2 });
    expect(runs()).toBe(2);
  });

  it('refuses an event without an id with IdempotencyKeyError, handler not run', async () => {
    // Arrange
    const { handler, runs } = createHandler();
    const { id: _id, ...withoutId } = createOrderPlaced('unused');

    // Act
    const error = await handler(withoutId as OrderPlaced, createLambdaContext()).catch((thrown: unknown) => thrown);

    // Assert
    expect(error).toBeInstanceOf(IdempotencyKeyError);
    expect((error as IdempotencyKeyError).problem).toBe('missing');
    expect(runs()).toBe(0);
  });
});

describe.each(adapters)('direct invocation through the %s', (_name, wrap) => {
  const createHandler = () => {
    let runs = 0;
    const handler = wrap(async (request: ChargeRequest) => ({ charged: request.cents, run: ++runs }), {
      store: fixture.store,
      key: (request) => request.requestId,
      fingerprint: (request) => request.cents,
      namespace: 'charge',
    });
    return { handler, runs: () => runs };
  };

  it('runs a retried invocation with the same request id once and returns the first result', async () => {
    // Arrange
    const { handler, runs } = createHandler();
    const request = { requestId: freshId('request'), cents: 500 };

    // Act
    const first = await handler(request, createLambdaContext());
    const retried = await handler({ ...request }, createLambdaContext());

    // Assert
    expect(first).toEqual({ charged: 500, run: 1 });
    expect(retried).toEqual(first);
    expect(runs()).toBe(1);
  });

  it('refuses the same request id with another payload', async () => {
    // Arrange
    const { handler, runs } = createHandler();
    const requestId = freshId('request');
    await handler({ requestId, cents: 500 }, createLambdaContext());

    // Act
    const error = await handler({ requestId, cents: 900 }, createLambdaContext()).catch((thrown: unknown) => thrown);

    // Assert
    expect(error).toBeInstanceOf(IdempotencyPayloadMismatchError);
    expect(runs()).toBe(1);
  });
});
