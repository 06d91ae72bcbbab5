import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { fulfilOrderFunction, functionEnvironment, orderFunctionTimeoutSeconds, orderRoutes } from '../../functions/routes.js';
import { localDynamoDBClientConfig } from './dynamodb-local.js';
import type { ProxyHandler } from './http-bridge.js';
import { createBridgeServer, type RequestLog } from './http-server.js';
import { ensureLocalTables, localTableDefaults, type LocalTableNames } from './local-tables.js';
import { startStreamPoller, type StreamHandler } from './stream-poller.js';

/** Options of {@link startLocalServer}. */
export interface LocalServerOptions {
  /** The DynamoDB endpoint the functions use, e.g. DynamoDB Local's. Required. */
  dynamoDBEndpoint: string;
  /** The port to listen on; 0 picks a free one. @default 3000 */
  port?: number;
  /** The interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** The table names; the tables are created when missing. @default localTableDefaults */
  tableNames?: Partial<LocalTableNames>;
  /** How long each invocation may run, as the Lambda timeout: it sets the context's remaining time, and past it the caller gets a 502. @default the stack's, 10_000 */
  functionTimeoutMs?: number;
  /**
   * API Gateway's integration timeout: a handler that has not answered by then gets API Gateway's 504
   * `{"message":"Endpoint request timed out"}`, and keeps running as it would on Lambda. @default 29_000
   */
  integrationTimeoutMs?: number;
  /** Receives one line per request, malformed ones included: method, path, status, replayed or not, milliseconds. @default undefined */
  log?: RequestLog;
  /** The payment provider `POST /orders` charges each order at. @default undefined: orders are placed without a charge */
  paymentProviderUrl?: string;
  /** Receives a line per orders-stream batch that fails, or is passed after its retries, and when the stream cannot be read. @default undefined */
  streamLog?: (line: string) => void;
  /** Reads the orders stream into the `fulfil-order` handler, so placed orders get shipped. @default true */
  fulfilment?: boolean;
}

/** A running local orders API. */
export interface LocalServer {
  /** `http://<host>:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Stops reading the orders stream and accepting requests, and waits for the batch and the requests in flight to finish. */
  stop(): Promise<void>;
}

/** Thrown when the local server cannot listen, e.g. the port is in use. */
export class LocalServerStartError extends Error {
  override readonly name = 'LocalServerStartError' as const;
}

const functionsDirectory = fileURLToPath(new URL('../../functions/', import.meta.url));

/**
 * Serves the orders API on one machine: creates the tables when missing, points the functions at `dynamoDBEndpoint`
 * through their environment variables, loads the same handler modules the CDK stack deploys, and answers each HTTP
 * request with the API Gateway REST proxy event AWS would send. It also reads the orders table's stream and invokes
 * the `fulfil-order` handler with the events Lambda's event source mapping would send, so placed orders get shipped.
 *
 * The handler modules read their environment once, when first loaded: in one process, every server after the first
 * uses the first one's endpoint and tables.
 * @throws {LocalServerStartError} when the port is in use.
 * @example
 * ```ts
 * import { startDynamoDBLocal } from './dynamodb-local.js';
 * const dynamo = await startDynamoDBLocal();
 * const server = await startLocalServer({ dynamoDBEndpoint: dynamo.endpoint, port: 0 });
 * await fetch(`${server.url}/order-intents`, { method: 'POST' });
 * ```
 */
export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const integrationTimeoutMs = options.integrationTimeoutMs ?? 29_000;
  if (!Number.isInteger(integrationTimeoutMs) || integrationTimeoutMs <= 0)
    throw new TypeError(`integrationTimeoutMs must be a positive whole number of milliseconds, got ${String(options.integrationTimeoutMs)}`);
  const tableNames = { ...localTableDefaults, ...options.tableNames };
  const client = new DynamoDBClient({ ...localDynamoDBClientConfig, endpoint: options.dynamoDBEndpoint });
  let streamArn: string;
  try {
    streamArn = await ensureLocalTables(client, tableNames);
  } finally {
    client.destroy();
  }
  process.env[functionEnvironment.dynamoDBEndpoint] = options.dynamoDBEndpoint;
  process.env[functionEnvironment.idempotencyTableName] = tableNames.idempotencyTableName;
  process.env[functionEnvironment.ordersTableName] = tableNames.ordersTableName;
  if (options.paymentProviderUrl !== undefined) process.env[functionEnvironment.paymentProviderUrl] = options.paymentProviderUrl;
  process.env[functionEnvironment.shipmentsTableName] = tableNames.shipmentsTableName;
  const handlers = new Map<string, ProxyHandler>();
  for (const route of orderRoutes) {
    handlers.set(route.name, await loadHandler<ProxyHandler>(route.entry));
  }
  const functionTimeoutMs = options.functionTimeoutMs ?? orderFunctionTimeoutSeconds * 1000;
  const bridge = { routes: orderRoutes, handlers, functionTimeoutMs, integrationTimeoutMs };
  const server = createBridgeServer(bridge, options.log);
  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port ?? 3000, host);
  const fulfilment = options.fulfilment === false ? undefined : await startFulfilment({ ...options, streamArn, functionTimeoutMs });
  return {
    url: `http://${host}:${port}`,
    port,
    stop: async () => {
      await fulfilment?.stop();
      await close(server);
    },
  };
}

/** Imports the `handler` export of a handler module under `functions/`, as the stack bundles it. */
async function loadHandler<Handler>(entry: string): Promise<Handler> {
  return ((await import(pathToFileURL(join(functionsDirectory, entry)).href)) as { handler: Handler }).handler;
}

/** Reads the orders stream into the `fulfil-order` handler module, as its event source mapping does on AWS. */
async function startFulfilment(options: { dynamoDBEndpoint: string; streamArn: string; functionTimeoutMs: number; streamLog?: (line: string) => void }) {
  const handler = await loadHandler<StreamHandler>(fulfilOrderFunction.entry);
  const client = new DynamoDBStreamsClient({ ...localDynamoDBClientConfig, endpoint: options.dynamoDBEndpoint });
  const poller = startStreamPoller({
    client,
    streamArn: options.streamArn,
    handler,
    functionName: fulfilOrderFunction.name,
    functionTimeoutMs: options.functionTimeoutMs,
    batchSize: fulfilOrderFunction.batchSize,
    retryAttempts: fulfilOrderFunction.retryAttempts,
    log: options.streamLog,
  });
  return {
    stop: async () => {
      await poller.stop();
      client.destroy();
    },
  };
}

/**
 * Resolves when `port` can be listened on right now, so `npm start` can say so before it starts DynamoDB Local.
 * @throws {LocalServerStartError} when the port is in use.
 */
export async function assertPortAvailable(port: number, host = '127.0.0.1'): Promise<void> {
  const probe = createServer();
  await listen(probe, port, host);
  await close(probe);
}

async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'EADDRINUSE' ? `port ${port} is already in use: stop what uses it or set PORT to another port` : error.message;
      reject(new LocalServerStartError(`Cannot start the local API: ${reason}`, { cause: error }));
    });
    server.listen(port, host, resolve);
  });
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : port;
}

async function close(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
