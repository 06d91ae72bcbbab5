import { describe, expect, it } from '@jest/globals';
import { DeleteItemCommand, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { gzipSync } from 'node:zlib';
import { httpIdempotency, isIdempotencyRecordCorruptError, makeIdempotent, type IdempotencyOutcome } from '../../lib/idempotency/index.js';
import { restEvent } from '../support/api-gateway-events.js';
import { createLambdaContext } from '../support/lambda-context.js';
import { tableLayouts } from '../support/dynamodb.js';
import { useStoreFixture } from '../support/store-fixture.js';

describe.each(tableLayouts)('on a table keyed by a %s', (_name, layout) => {
  const fixture = useStoreFixture(layout);
  const fresh = () => `corrupt-${Math.random().toString(36).slice(2)}`;
  // Compares what a call threw by class name, so a failure prints a name rather than a 64 MiB replay.
  const nameOf = (value: unknown) => (value instanceof Error ? value.name : `a ${typeof value}, not an error`);

  // What an operator, a migration or a bit flip may leave in the `data` attribute of a completed record.
  const corruptions: Array<[string, AttributeValue]> = [
    ['JSON text that does not parse', { S: '{"receipt": "r-1"' }],
    ['bytes that are not gzip', { B: Uint8Array.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7]) }],
    ['gzip of text that is not JSON', { B: gzipSync('not json at all') }],
    ['gzip that inflates to 64 MiB', { B: gzipSync(`"${' '.repeat(64 * 1024 * 1024)}"`) }],
    ['a number where a result belongs', { N: '42' }],
  ];

  /** A wrapped operation, its record id once it ran, and how often it ran. */
  function charge() {
    const seen: { recordId?: string; runs: number; outcomes: IdempotencyOutcome['type'][]; logged: Array<Record<string, unknown>> } = {
      runs: 0,
      outcomes: [],
      logged: [],
    };
    const chargeCard = async (input: { key: string; cents: number }, _context?: unknown) => {
      seen.runs += 1;
      return { receipt: `r-${input.key}`, cents: input.cents };
    };
    const call = makeIdempotent(chargeCard, {
      store: fixture.store,
      namespace: 'charge',
      key: (input) => input.key,
      fingerprint: (input) => input.cents,
      onOutcome: (outcome) => {
        seen.outcomes.push(outcome.type);
        seen.recordId = outcome.recordId ?? seen.recordId;
      },
      logger: (_message, details) => seen.logged.push(details),
    });
    return { call, seen };
  }

  const overwriteData = (recordId: string, data: AttributeValue) =>
    fixture.client.send(
      new UpdateItemCommand({
        TableName: fixture.tableName,
        Key: fixture.keyOf(recordId),
        UpdateExpression: 'SET #data = :data',
        ExpressionAttributeNames: { '#data': 'data' },
        ExpressionAttributeValues: { ':data': data },
      }),
    );

  describe.each(corruptions)('a completed record whose result is %s', (_label, data) => {
    it('answers a duplicate with IdempotencyRecordCorruptError naming the record, reports it, and never runs the handler again', async () => {
      // Arrange
      const { call, seen } = charge();
      const input = { key: fresh(), cents: 100 };
      await call(input, createLambdaContext());
      await overwriteData(seen.recordId!, data);

      // Act
      const error = await call(input, createLambdaContext()).catch((thrown: unknown) => thrown);

      // Assert
      expect(nameOf(error)).toBe('IdempotencyRecordCorruptError');
      expect(isIdempotencyRecordCorruptError(error) && error.recordId).toBe(seen.recordId);
      expect(seen.runs).toBe(1);
      expect(seen.outcomes).toEqual(['claimed', 'completed', 'corrupt']);
      expect(seen.logged).toContainEqual(expect.objectContaining({ recordId: seen.recordId }));
    });

    it('answers a duplicate with another payload with the mismatch, without decoding the result', async () => {
      // Arrange
      const { call, seen } = charge();
      const key = fresh();
      await call({ key, cents: 100 }, createLambdaContext());
      await overwriteData(seen.recordId!, data);

      // Act
      const error = await call({ key, cents: 999 }, createLambdaContext()).catch((thrown: unknown) => thrown);

      // Assert
      expect(nameOf(error)).toBe('IdempotencyPayloadMismatchError');
    });
  });

  describe.each([
    ['a status this library never writes', 'SET #status = :value', { ':value': { S: 'DONE' } }],
    ['no TTL', 'REMOVE expiration', undefined],
    ['IN_PROGRESS without a lease end', 'SET #status = :value', { ':value': { S: 'IN_PROGRESS' } }],
    ['a fingerprint that is not a string, which would skip the payload check', 'SET validation = :value', { ':value': { N: '1' } }],
  ] as const)('a record with %s', (_label, update, values) => {
    it('answers a duplicate with IdempotencyRecordCorruptError naming the record, instead of a 409 or a replay the record cannot back', async () => {
      // Arrange
      const { call, seen } = charge();
      const input = { key: fresh(), cents: 100 };
      await call(input, createLambdaContext());
      await fixture.client.send(
        new UpdateItemCommand({
          TableName: fixture.tableName,
          Key: fixture.keyOf(seen.recordId!),
          UpdateExpression: update,
          ...(update.includes('#status') ? { ExpressionAttributeNames: { '#status': 'status' } } : {}),
          ...(values === undefined ? {} : { ExpressionAttributeValues: values }),
        }),
      );

      // Act
      const error = await call(input, createLambdaContext()).catch((thrown: unknown) => thrown);

      // Assert
      expect(nameOf(error)).toBe('IdempotencyRecordCorruptError');
      expect(isIdempotencyRecordCorruptError(error) && error.recordId).toBe(seen.recordId);
      expect(seen.runs).toBe(1);
      expect(seen.outcomes).toEqual(['claimed', 'completed', 'corrupt']);
    });
  });

  describe('a corrupt record over HTTP', () => {
    it('answers 500 problem+json without the record id or the table, and runs again once an operator deletes the record', async () => {
      // Arrange
      let runs = 0;
      let recordId = '';
      const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
        .use(
          httpIdempotency<APIGatewayProxyEvent, APIGatewayProxyResult>({
            store: fixture.store,
            onOutcome: (outcome) => (recordId = outcome.recordId ?? recordId),
          }),
        )
        .handler(async () => ({ statusCode: 201, body: JSON.stringify({ run: ++runs }) }));
      const key = fresh();
      const event = () => restEvent({ headers: { 'Idempotency-Key': key }, body: '{"cents":100}' });
      await handler(event(), createLambdaContext());
      await overwriteData(recordId, { B: Uint8Array.from([1, 2, 3]) });

      // Act
      const corrupt = await handler(event(), createLambdaContext());
      await fixture.client.send(new DeleteItemCommand({ TableName: fixture.tableName, Key: fixture.keyOf(recordId) }));
      const afterDelete = await handler(event(), createLambdaContext());

      // Assert
      expect(corrupt.statusCode).toBe(500);
      expect(corrupt.headers?.['Content-Type']).toBe('application/problem+json');
      expect(JSON.parse(corrupt.body)).toMatchObject({ type: 'urn:lambda-idempotency:record-corrupt', status: 500 });
      expect(corrupt.body).not.toContain(recordId);
      expect(corrupt.body).not.toContain(fixture.tableName);
      expect(afterDelete.statusCode).toBe(201);
      expect(JSON.parse(afterDelete.body)).toEqual({ run: 2 });
    });
  });

  describe('a result whose JSON exceeds what replay decodes', () => {
    it('is returned to its caller and not stored, so a duplicate never inflates it', async () => {
      // Arrange
      let runs = 0;
      const large = async (input: { key: string }, _context?: unknown) => {
        runs += 1;
        return { key: input.key, padding: 'a'.repeat(7 * 1024 * 1024) };
      };
      const call = makeIdempotent(large, { store: fixture.store, namespace: 'large', key: (input) => input.key });
      const input = { key: fresh() };

      // Act
      const first = await call(input, createLambdaContext());
      const duplicate = await call(input, createLambdaContext()).catch((thrown: unknown) => thrown);

      // Assert
      expect(first.padding.length).toBe(7 * 1024 * 1024);
      expect(nameOf(duplicate)).toBe('IdempotencyResultNotStoredError');
      expect(runs).toBe(1);
    });
  });
});
