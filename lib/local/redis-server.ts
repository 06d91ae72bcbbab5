import { spawn } from 'node:child_process';
import { findFreePort } from './dynamodb-local.js';
import { killOnExit, stopChild } from './kill-on-exit.js';

/** A `redis-server` process started by {@link startRedisServer}. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Stops the process and waits for it to exit. */
  stop(): Promise<void>;
}

/** Options of {@link startRedisServer}. */
export interface StartRedisServerOptions {
  /** Port to listen on. @default a free port chosen by the OS */
  port?: number;
}

/** Thrown when `redis-server` cannot be started: not installed, port taken, or it exited before it was ready. */
export class RedisServerStartError extends Error {
  override readonly name = 'RedisServerStartError' as const;
}

/**
 * Starts the machine's `redis-server` on 127.0.0.1 in memory only (`--save ''`, `--appendonly no`) and resolves when
 * it logs that it accepts connections. It is killed when this process exits or gets SIGINT/SIGTERM.
 * @throws {RedisServerStartError} when redis-server is missing or exits before it is ready.
 */
export async function startRedisServer(options: StartRedisServerOptions = {}): Promise<RedisServer> {
  const port = options.port ?? (await findFreePort());
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'notice'];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const detach = killOnExit(child);
  await new Promise<void>((resolve, reject) => {
    let output = '';
    // Always drain both pipes, or the server blocks on a full buffer; keep only the start for the error message.
    const read = (chunk: Buffer) => {
      if (output.length < 8_192) output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('error', (error: NodeJS.ErrnoException) => {
      detach();
      const hint = error.code === 'ENOENT' ? 'redis-server was not found: apt-get install -y redis-server' : error.message;
      reject(new RedisServerStartError(`Cannot start redis-server: ${hint}`, { cause: error }));
    });
    child.once('exit', (code) => {
      detach();
      reject(new RedisServerStartError(`redis-server on port ${port} exited with code ${code}: ${output.slice(-500)}`));
    });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () => stopChild(child, detach, 'SIGKILL'),
  };
}
