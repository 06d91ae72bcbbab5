import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynamoDBLocal } from '../../lib/local/dynamodb-local.js';
import { startTestApi } from '../support/local-server.js';

const dataPath = mkdtempSync(join(tmpdir(), 'orders-data-'));

afterAll(() => {
  rmSync(dataPath, { recursive: true, force: true });
});

describe('local server restart', () => {
  it('keeps orders and replays when the server and a file-backed DynamoDB Local restart', async () => {
    // Arrange: DynamoDB Local with its data in a folder, as `npm start` keeps it in .data/
    const firstDynamo = await startDynamoDBLocal({ dataPath, startTimeoutMs: 60_000 });
    const api = await startTestApi({ dynamoDBEndpoint: firstDynamo.endpoint });
    const request = { headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'restart-1' }, body: '{"productId":"p-3","quantity":1}' };
    const placed = await api.send('POST', '/orders', request);
    await api.server.stop();
    await firstDynamo.stop();
    // Act
    const secondDynamo = await startDynamoDBLocal({ dataPath, port: firstDynamo.port, startTimeoutMs: 60_000 });
    try {
      await api.restart();
      const fetched = await api.send('GET', `/orders/${placed.body.orderId}`);
      const replayed = await api.send('POST', '/orders', request);
      // Assert
      expect(placed.status).toBe(201);
      expect(fetched.status).toBe(200);
      expect(fetched.body).toEqual(placed.body);
      expect(replayed.headers.get('idempotent-replayed')).toBe('true');
      expect(replayed.body).toEqual(placed.body);
    } finally {
      await api.stop();
      await secondDynamo.stop();
    }
    // Two DynamoDB Local starts take 10 to 60 s on a loaded machine.
  }, 180_000);
});
