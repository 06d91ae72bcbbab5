import { connect, createServer, type Socket } from 'node:net';
import { listenOnLoopback } from './loopback-endpoint.js';

/** One connection through a {@link TcpProxy}: the socket of the code under test and the proxy's own to the target. */
export interface ProxiedConnection {
  readonly client: Socket;
  readonly upstream: Socket;
}

/** What a fault injector does with the chunks of one connection; a direction left out is forwarded as it comes. */
export interface ConnectionHandlers {
  readonly fromClient?: (chunk: Buffer) => void;
  readonly fromUpstream?: (chunk: Buffer) => void;
}

/** A TCP proxy on a loopback port, the core of the TCP fault injectors. */
export interface TcpProxy {
  /** `http://127.0.0.1:<port>`: give it to the code under test as its endpoint. */
  readonly endpoint: string;
  /** Closes every connection (callers waiting get a reset) and stops listening. */
  stop(): Promise<void>;
}

/**
 * Starts a TCP proxy to `target` (e.g. DynamoDB Local's endpoint) that opens one upstream connection per client
 * connection and hands both to `handle`, whose handlers decide what each chunk becomes. Closing either side closes
 * the other, and a socket error only destroys that socket: a fault injected here never crashes the test process.
 */
export async function startTcpProxy(target: string, handle: (connection: ProxiedConnection) => ConnectionHandlers): Promise<TcpProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.once('close', () => sockets.delete(socket));
    }
    const handlers = handle({ client, upstream });
    client.on('data', handlers.fromClient ?? ((chunk: Buffer) => upstream.write(chunk)));
    upstream.on('data', handlers.fromUpstream ?? ((chunk: Buffer) => client.write(chunk)));
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  const endpoint = await listenOnLoopback(server);
  return {
    endpoint,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
