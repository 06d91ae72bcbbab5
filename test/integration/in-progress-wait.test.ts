import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import {
  createDynamoDBStore,
  createSqsBatchHandler,
  httpIdempotency,
  idempotency,
  IdempotencyInProgressError,
  IdempotencyPayloadMismatchError,
  IdempotencyStoreError,
  makeIdempotent,
  withIdempotencyTimeout,
  type IdempotencyOptions,
  type IdempotencyOutcome,
  type IdempotencyStore,
} from '../../lib/idempotency/index.js';
import { adapters } from '../support/adapters.js';
import { restEvent } from '../support/api-gateway-events.js';
import { countCalls, type CallCounter } from '../support/call-counter.js';
import { createTestClient } from '../support/dynamodb.js';
import { injectFaults } from '../support/fault-injector.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { useStoreFixture } from '../support/store-fixture.js';
import { waitFor } from '../support/wait-for.js';

// No test here times anything: the first call holds its claim until the test opens its gate, and the test opens it only
// once it has seen the duplicate read the record (a GetItem), so a slow machine only makes every step take longer.
const fixture = useStoreFixture();
let counter: CallCounter;
beforeAll(() => {
  counter = countCalls(fixture.client);
});
beforeEach(() => counter.reset());

/** A promise the test settles by hand. */
function createGate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

const reads = () => counter.calls.GetItemCommand ?? 0;
const claims = () => counter.calls.PutItemCommand ?? 0;
// Generous: where a test expects an answer, a loaded machine only waits longer; the first call never takes this long.
const generousWaitMs = 60_000;
const roomyContext = () => createLambdaContext({ remainingMs: 600_000 });
// A clock that stands still: a wait budget is then spent in time slept alone (25, 50, 100, … ms), never in the time a
// loaded machine takes for the claim, so the polls a budget allows are always the same.
const frozenMs = Date.now();
const frozenClock = () => frozenMs;

describe.each(adapters)('a duplicate of a call in progress, through the %s', (_name, wrap) => {
  const setUp = (options: { waitForInProgressMs: number; now?: () => number }) => {
    const gate = createGate();
    const outcomes: IdempotencyOutcome[] = [];
    let runs = 0;
    const handler = wrap(
      async (event: { key: string; fail?: boolean }) => {
        runs += 1;
        const run = runs;
        if (run === 1) await gate.opened;
        if (run === 1 && event.fail === true) throw new Error('first call failed');
        return { answeredBy: run };
      },
      { store: fixture.store, key: (event) => event.key, onOutcome: (outcome) => outcomes.push(outcome), ...options },
    );
    return { handler, gate, outcomes, runs: () => runs };
  };

  it('waits for the first call and replays its result; the handler runs once', async () => {
    const { handler, gate, outcomes, runs } = setUp({ waitForInProgressMs: generousWaitMs });
    const key = randomUUID();
    const first = handler({ key }, roomyContext());
    await waitFor(() => runs() === 1);
    const duplicate = handler({ key }, roomyContext());
    await waitFor(() => reads() >= 1);
    gate.open();
    await expect(first).resolves.toEqual({ answeredBy: 1 });
    await expect(duplicate).resolves.toEqual({ answeredBy: 1 });
    expect(runs()).toBe(1);
    const replayed = outcomes.find((outcome) => outcome.type === 'replayed');
    expect(replayed?.storeCalls).toBe(reads());
    expect(replayed?.waitedMs).toBeGreaterThanOrEqual(0);
  });

  it('runs the handler itself when the first call fails, and answers with its own result', async () => {
    const { handler, gate, runs } = setUp({ waitForInProgressMs: generousWaitMs });
    const key = randomUUID();
    const first = handler({ key, fail: true }, roomyContext());
    await waitFor(() => runs() === 1);
    const duplicate = handler({ key, fail: true }, roomyContext());
    await waitFor(() => reads() >= 1);
    gate.open();
    await expect(first).rejects.toThrow('first call failed');
    await expect(duplicate).resolves.toEqual({ answeredBy: 2 });
    await expect(handler({ key }, roomyContext())).resolves.toEqual({ answeredBy: 2 });
    expect(runs()).toBe(2);
  });

  it('takes the key over when the first call’s lease ends during the wait (injected clock)', async () => {
    let clockMs = Date.now();
    const { handler, gate, outcomes, runs } = setUp({ waitForInProgressMs: 600_000, now: () => clockMs });
    const key = randomUUID();
    // The first call's lease ends 30 s (on the injected clock) after its claim, as a Lambda that times out.
    const first = handler({ key }, createLambdaContext({ remainingMs: 30_000 }));
    await waitFor(() => runs() === 1);
    const duplicate = handler({ key }, roomyContext());
    await waitFor(() => reads() >= 1);
    clockMs += 31_000;
    await expect(duplicate).resolves.toEqual({ answeredBy: 2 });
    expect(outcomes.filter((outcome) => outcome.type === 'claimed').map((outcome) => outcome.storeCalls)).toEqual([undefined, expect.any(Number)]);
    gate.open();
    // The crashed first call's late completion is refused: the key keeps the result of the call that took it over.
    await expect(first).resolves.toEqual({ answeredBy: 1 });
    await expect(handler({ key }, roomyContext())).resolves.toEqual({ answeredBy: 2 });
    expect(outcomes.some((outcome) => outcome.type === 'lease-lost')).toBe(true);
  });

  it('answers IdempotencyInProgressError once its wait budget is spent, the first call still running', async () => {
    const { handler, gate, outcomes, runs } = setUp({ waitForInProgressMs: 200, now: frozenClock });
    const key = randomUUID();
    const first = handler({ key }, roomyContext());
    await waitFor(() => runs() === 1);
    await expect(handler({ key }, roomyContext())).rejects.toBeInstanceOf(IdempotencyInProgressError);
    expect(runs()).toBe(1);
    // 200 ms slept as 25 + 50 + 100 + 25: four polls, one read each.
    expect(reads()).toBe(4);
    expect(outcomes.find((outcome) => outcome.type === 'in-progress')?.storeCalls).toBe(reads());
    gate.open();
    await first;
  });

  it('never waits past the invocation’s remaining time less the answer margin', async () => {
    const { handler, gate, outcomes, runs } = setUp({ waitForInProgressMs: 600_000, now: frozenClock });
    const key = randomUUID();
    const first = handler({ key }, roomyContext());
    await waitFor(() => runs() === 1);
    // 800 ms left is less than the 1 s margin: no wait, no read.
    await expect(handler({ key }, createLambdaContext({ remainingMs: 800 }))).rejects.toBeInstanceOf(IdempotencyInProgressError);
    expect(reads()).toBe(0);
    // 1.5 s left: it waits 0.5 s (25 + 50 + 100 + 200 + 125 ms, five reads), then answers while the first call still runs.
    await expect(handler({ key }, createLambdaContext({ remainingMs: 1_500 }))).rejects.toBeInstanceOf(IdempotencyInProgressError);
    expect(reads()).toBe(5);
    expect(outcomes.filter((outcome) => outcome.type === 'in-progress').map((outcome) => outcome.storeCalls)).toEqual([0, reads()]);
    expect(runs()).toBe(1);
    gate.open();
    await first;
  });

  it('answers a duplicate with another payload at once, without reading the record', async () => {
    const gate = createGate();
    let started = false;
    const handler = wrap(
      async (event: { key: string; amount: number }) => {
        started = true;
        await gate.opened;
        return { amount: event.amount };
      },
      { store: fixture.store, key: (event) => event.key, fingerprint: (event) => event.amount, waitForInProgressMs: generousWaitMs },
    );
    const key = randomUUID();
    const first = handler({ key, amount: 1 }, roomyContext());
    await waitFor(() => started);
    await expect(handler({ key, amount: 2 }, roomyContext())).rejects.toBeInstanceOf(IdempotencyPayloadMismatchError);
    expect(counter.calls).toEqual({ PutItemCommand: 2 });
    gate.open();
    await expect(first).resolves.toEqual({ amount: 1 });
  });

  it('gives 50 concurrent duplicates of one slow call its answer; the handler runs once', async () => {
    const { handler, gate, runs } = setUp({ waitForInProgressMs: generousWaitMs });
    const key = randomUUID();
    const first = handler({ key }, roomyContext());
    await waitFor(() => runs() === 1);
    const duplicates = Array.from({ length: 50 }, () => handler({ key }, roomyContext()));
    // Every duplicate has been refused its claim: each now waits, holding nothing.
    await waitFor(() => claims() >= 51);
    gate.open();
    await expect(first).resolves.toEqual({ answeredBy: 1 });
    await expect(Promise.all(duplicates)).resolves.toEqual(Array.from({ length: 50 }, () => ({ answeredBy: 1 })));
    expect(runs()).toBe(1);
  });
});

describe('httpIdempotency and a duplicate in progress', () => {
  const post = (key: string, body = '{"sku":"book"}') => restEvent({ headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key }, body });
  const setUp = (options: { waitForInProgressMs?: number; now?: () => number } = {}) => {
    const gate = createGate();
    const outcomes: IdempotencyOutcome[] = [];
    let runs = 0;
    const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
      .use(httpIdempotency<APIGatewayProxyEvent, APIGatewayProxyResult>({ store: fixture.store, onOutcome: (outcome) => outcomes.push(outcome), ...options }))
      .handler(async () => {
        runs += 1;
        const run = runs;
        if (run === 1) await gate.opened;
        return { statusCode: 201, body: JSON.stringify({ orderId: `order-${run}` }) };
      });
    return { invoke: (event: APIGatewayProxyEvent) => handler(event, roomyContext()), gate, outcomes, runs: () => runs };
  };

  it('answers a double click with the first response and Idempotent-Replayed: true', async () => {
    const { invoke, gate, runs } = setUp({ waitForInProgressMs: generousWaitMs });
    const key = randomUUID();
    const first = invoke(post(key));
    await waitFor(() => runs() === 1);
    const second = invoke(post(key));
    await waitFor(() => reads() >= 1);
    gate.open();
    await expect(first).resolves.toEqual({ statusCode: 201, body: '{"orderId":"order-1"}' });
    await expect(second).resolves.toEqual({ statusCode: 201, headers: { 'Idempotent-Replayed': 'true' }, body: '{"orderId":"order-1"}' });
    expect(runs()).toBe(1);
  });

  it('waits by default, then answers 409 with Retry-After when the first request is still running', async () => {
    const { invoke, gate, outcomes, runs } = setUp({ now: frozenClock });
    const key = randomUUID();
    const first = invoke(post(key));
    await waitFor(() => runs() === 1);
    const second = await invoke(post(key));
    expect(second.statusCode).toBe(409);
    expect(second.headers?.['Retry-After']).toMatch(/^\d+$/);
    // The default 5 s, slept as 25 + 50 + 100 + 200 ms, then 18 × 250 and 125 ms: 23 polls, one read each.
    expect(reads()).toBe(23);
    expect(outcomes.find((outcome) => outcome.type === 'in-progress')?.storeCalls).toBe(reads());
    gate.open();
    await first;
  });

  it('answers another body with 422 at once, without reading the record', async () => {
    const { invoke, gate, runs } = setUp();
    const key = randomUUID();
    const first = invoke(post(key));
    await waitFor(() => runs() === 1);
    const other = await invoke(post(key, '{"sku":"pen"}'));
    expect(other.statusCode).toBe(422);
    expect(counter.calls).toEqual({ PutItemCommand: 2 });
    gate.open();
    await first;
  });
});

describe('a store fault during a wait', () => {
  it('answers IdempotencyStoreError at once when a read fails, reading no more and holding nothing', async () => {
    // Fault injector: DynamoDB Local cannot be made to throttle one GetItem on cue.
    const client = createTestClient();
    const failedReads: string[] = [];
    injectFaults(client, { commands: ['GetItemCommand'], onFault: (command) => failedReads.push(command) });
    const store = createDynamoDBStore({ tableName: fixture.tableName, client });
    const gate = createGate();
    const outcomes: IdempotencyOutcome[] = [];
    let runs = 0;
    const handler = makeIdempotent(
      async (_event: { key: string }, _context?: Context) => {
        runs += 1;
        await gate.opened;
        return runs;
      },
      { store, key: (event) => event.key, namespace: 'wait-fault', waitForInProgressMs: generousWaitMs, onOutcome: (outcome) => outcomes.push(outcome) },
    );
    const key = randomUUID();
    const first = handler({ key }, roomyContext());
    await waitFor(() => runs === 1);
    await expect(handler({ key }, roomyContext())).rejects.toBeInstanceOf(IdempotencyStoreError);
    expect(failedReads).toEqual(['GetItemCommand']);
    expect(outcomes.map((outcome) => outcome.type)).toEqual(['claimed', 'store-error']);
    gate.open();
    await expect(first).resolves.toBe(1);
    client.destroy();
  });
});

describe('waitForInProgressMs at construction', () => {
  const storeWithoutGet = (): IdempotencyStore => {
    const { claim, complete, release } = fixture.store;
    return { claim, complete, release };
  };

  it.each([-1, 1.5, '5000', Number.NaN])('refuses %p with a TypeError naming the option, in every adapter', (value) => {
    const options = { store: fixture.store, waitForInProgressMs: value as number };
    const message = /`waitForInProgressMs`/;
    expect(() => makeIdempotent(async (_event: unknown) => 1, { ...options, key: () => 'k', namespace: 'wait' })).toThrow(message);
    expect(() => httpIdempotency(options)).toThrow(message);
    expect(() => createSqsBatchHandler(async () => 1, options)).toThrow(message);
  });

  it('refuses a wait over a store that cannot read a record, and keeps httpIdempotency answering 409 at once over it', () => {
    expect(() => makeIdempotent(async (_event: unknown) => 1, { store: storeWithoutGet(), key: () => 'k', namespace: 'wait', waitForInProgressMs: 1 })).toThrow(
      /`waitForInProgressMs`/,
    );
    expect(() => httpIdempotency({ store: storeWithoutGet() })).not.toThrow();
  });

  it('keeps the default of makeIdempotent at 0: a duplicate in progress is answered at once, without a read', async () => {
    const gate = createGate();
    let started = false;
    const handler = makeIdempotent(
      async (_event: { key: string }, _context?: Context) => {
        started = true;
        await gate.opened;
        return 1;
      },
      { store: fixture.store, key: (event) => event.key, namespace: 'wait' },
    );
    const key = randomUUID();
    const first = handler({ key }, roomyContext());
    await waitFor(() => started);
    await expect(handler({ key }, roomyContext())).rejects.toBeInstanceOf(IdempotencyInProgressError);
    expect(reads()).toBe(0);
    gate.open();
    await first;
  });
});

describe('a wait under Middy’s early timeout (withIdempotencyTimeout)', () => {
  // Middy answers an invocation `timeoutEarlyInMillis` before its Lambda deadline. A wait still polling after that instant
  // reads for an invocation that has already answered (and would claim the key for a handler Middy has already cut off).
  // The remaining time follows the injected clock, which the test moves; Middy's own timer (5 min) never fires.
  const timeoutEarlyInMillis = 300_000;
  type Event = { key: string };
  type Body = (event: Event, context?: Context) => Promise<string>;
  const shapes: Array<[string, (body: Body, options: IdempotencyOptions<Event, string>) => (event: Event, context: Context) => Promise<string>]> = [
    [
      'idempotency() in the Middy chain',
      (body, options) => middy<Event, string>(withIdempotencyTimeout({ timeoutEarlyInMillis })).use(idempotency(options)).handler(body),
    ],
    [
      'makeIdempotent() inside the Middy handler',
      (body, options) =>
        middy<Event, string>(withIdempotencyTimeout({ timeoutEarlyInMillis })).handler(makeIdempotent(body, { ...options, namespace: 'wait-under-timeout' })),
    ],
  ];

  it.each(shapes)('stops reading once Middy’s early timeout is due, through %s', async (_shape, build) => {
    // Arrange
    const gate = createGate();
    let runs = 0;
    const body: Body = async () => {
      runs += 1;
      await gate.opened;
      return 'first';
    };
    let clockMs = Date.now();
    const lambdaEndsAtMs = clockMs + 600_000;
    const context = () => createLambdaContext({ remaining: () => lambdaEndsAtMs - clockMs });
    const handler = build(body, { store: fixture.store, key: (event) => event.key, waitForInProgressMs: 600_000, now: () => clockMs });
    const key = randomUUID();
    const first = handler({ key }, context());
    await waitFor(() => runs === 1);
    let settled = false;
    const duplicate = handler({ key }, context());
    duplicate.then(
      () => (settled = true),
      () => (settled = true),
    );
    await waitFor(() => reads() >= 1);

    // Act: the invocation reaches the instant Middy answers it.
    const readsBefore = reads();
    clockMs += timeoutEarlyInMillis;
    await waitFor(() => settled || reads() >= readsBefore + 2);

    // Assert: the read in flight at most, then the in-progress answer; the handler never ran for the duplicate.
    gate.open();
    await expect(first).resolves.toBe('first');
    expect(settled).toBe(true);
    await expect(duplicate).rejects.toBeInstanceOf(IdempotencyInProgressError);
    expect(reads()).toBeLessThanOrEqual(readsBefore + 1);
    expect(runs).toBe(1);
  });
});
