import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { randomUUID } from 'node:crypto';
import { functionEnvironment } from '../../functions/routes.js';
import { startLocalServer, type LocalServer } from '../../lib/local/local-server.js';
import { createTestClient, dynamoDBEndpoint } from './dynamodb.js';

/** A local orders API on a free port over the test DynamoDB Local, with fresh tables for this test file. */
export interface TestApi {
  server: LocalServer;
  /** The server's log lines, one per request. */
  readonly logLines: string[];
  readonly tableNames: { readonly idempotencyTableName: string; readonly ordersTableName: string; readonly shipmentsTableName: string };
  /** Sends one real HTTP request and returns the status, headers and parsed JSON body. */
  send(method: string, path: string, options?: { headers?: Record<string, string>; body?: string }): Promise<TestResponse>;
  /** Every item in the orders table. */
  scanOrders(): Promise<Record<string, unknown>[]>;
  /** Every item in the shipments table. */
  scanShipments(): Promise<Record<string, unknown>[]>;
  /** Stops the server and starts a new one on the same tables. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** What {@link TestApi.send} returns. */
export interface TestResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

/**
 * Starts the local orders API for one test file, over the suite's DynamoDB Local unless `dynamoDBEndpoint` says
 * otherwise, with the server's default Lambda and integration timeouts unless `functionTimeoutMs` and `integrationTimeoutMs`
 * say otherwise, and with the payment provider at `paymentProviderUrl` when given. The handler modules keep the first endpoint and tables for the file's lifetime.
 */
export async function startTestApi(
  options: { dynamoDBEndpoint?: string; functionTimeoutMs?: number; integrationTimeoutMs?: number; paymentProviderUrl?: string; fulfilment?: boolean } = {},
): Promise<TestApi> {
  const endpoint = options.dynamoDBEndpoint ?? dynamoDBEndpoint();
  const suffix = randomUUID().slice(0, 8);
  const tableNames = { idempotencyTableName: `idempotency-${suffix}`, ordersTableName: `orders-${suffix}`, shipmentsTableName: `shipments-${suffix}` };
  const logLines: string[] = [];
  const start = () =>
    startLocalServer({
      dynamoDBEndpoint: endpoint,
      port: 0,
      tableNames,
      functionTimeoutMs: options.functionTimeoutMs,
      integrationTimeoutMs: options.integrationTimeoutMs,
      paymentProviderUrl: options.paymentProviderUrl,
      fulfilment: options.fulfilment,
      log: (line) => logLines.push(line),
    });
  const client = createTestClient({ endpoint });
  const scanTable = async (tableName: string) => {
    const answer = await client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
    return (answer.Items ?? []).map((item) => unmarshall(item));
  };
  // The server points the functions at its tables through process.env; give other test files in this worker it back.
  const savedEnvironment = { ...process.env };
  const api: TestApi = {
    server: await start(),
    logLines,
    tableNames,
    send: async (method, path, options = {}) => {
      const response = await fetch(`${api.server.url}${path}`, { method, headers: options.headers, body: options.body });
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
    },
    scanOrders: () => scanTable(tableNames.ordersTableName),
    scanShipments: () => scanTable(tableNames.shipmentsTableName),
    restart: async () => {
      await api.server.stop();
      api.server = await start();
    },
    stop: async () => {
      await api.server.stop();
      client.destroy();
      for (const name of Object.values(functionEnvironment)) {
        if (savedEnvironment[name] === undefined) delete process.env[name];
        else process.env[name] = savedEnvironment[name];
      }
    },
  };
  return api;
}
