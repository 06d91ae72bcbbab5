import { connect, createServer, type Socket } from 'node:net';
import { listenOnLoopback } from './loopback-endpoint.js';

/** A TCP fault injector in front of DynamoDB that holds back the next request of one operation until released. */
export interface HoldInjector {
  /** `http://127.0.0.1:<port>`: give it to the code under test as its DynamoDB endpoint. */
  readonly endpoint: string;
  /** How many requests of each operation (`GetItem`, `PutItem`, …) reached the injector. */
  readonly seen: Record<string, number>;
  /** Holds back the next request of the operation (and what follows it on its connection). */
  hold(): void;
  /** Sends the held request, and what followed it on its connection, on to DynamoDB. */
  release(): void;
  stop(): Promise<void>;
}

const operationPattern = /x-amz-target:\s*DynamoDB_20120810\.(\w+)/i;

/**
 * Fault injector: a TCP proxy to `target` (DynamoDB Local) that, once asked to {@link HoldInjector.hold}, holds the next
 * request of `operation` (say `TransactWriteItems`) until {@link HoldInjector.release}, as a slow network or a busy partition would. A handler
 * under test then stays in progress for exactly as long as the test decides, whatever the machine's speed.
 */
export async function startHoldInjector(target: string, operation: string): Promise<HoldInjector> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const seen: Record<string, number> = {};
  let heldBack: (() => void) | undefined;
  let holding = false;
  const server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.once('close', () => sockets.delete(socket));
    }
    const queue: Buffer[] = [];
    let held = false;
    client.on('data', (chunk: Buffer) => {
      const named = operationPattern.exec(chunk.toString('latin1'))?.[1];
      if (named !== undefined) seen[named] = (seen[named] ?? 0) + 1;
      if (named === operation && holding) {
        holding = false;
        held = true;
        heldBack = () => {
          held = false;
          for (const queued of queue.splice(0)) upstream.write(queued);
        };
      }
      if (held) queue.push(chunk);
      else upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  const endpoint = await listenOnLoopback(server);
  return {
    endpoint,
    seen,
    hold: () => {
      holding = true;
    },
    release: () => {
      heldBack?.();
      heldBack = undefined;
    },
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
