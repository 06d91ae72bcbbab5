import { connect, createServer, type Socket } from 'node:net';
import { listenOnLoopback } from './loopback-endpoint.js';

/** A TCP fault injector in front of DynamoDB: it forwards until {@link StallInjector.stall}, then answers nothing. */
export interface StallInjector {
  /** `http://127.0.0.1:<port>`: give it to the code under test as its DynamoDB endpoint. */
  readonly endpoint: string;
  /** From now on every byte sent to DynamoDB is dropped: calls in flight and new ones wait for an answer forever. */
  stall(): void;
  /** Closes every connection (callers waiting get a reset) and stops listening. */
  stop(): Promise<void>;
}

/**
 * Fault injector: a TCP proxy to `target` (DynamoDB Local) that can stop answering, the way an unreachable endpoint
 * behind a black-holing network does. The handlers under test then never settle, whatever the machine's speed.
 */
export async function startStallInjector(target: string): Promise<StallInjector> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let stalled = false;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.once('close', () => sockets.delete(socket));
  };
  const server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    track(client);
    track(upstream);
    client.on('data', (chunk: Buffer) => {
      if (!stalled) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!stalled) client.write(chunk);
    });
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  const endpoint = await listenOnLoopback(server);
  return {
    endpoint,
    stall: () => {
      stalled = true;
    },
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
