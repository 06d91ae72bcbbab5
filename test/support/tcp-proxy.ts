import { connect, createServer, type Socket } from 'node:net';
import { listenOnLoopback } from './loopback-endpoint.js';

/** One connection through a {@link TcpProxy}: the socket of the code under test and the proxy's own to the target. */
export interface ProxiedConnection {
  readonly client: Socket;
  /** The proxy's socket to the target for this connection, as of now (see {@link ProxiedConnection.detachUpstream}). */
  upstream(): Socket;
  /**
   * Closes the socket to the target without closing the client's, and opens a new one when the client's next bytes
   * are forwarded: for an injector that holds a request back longer than the target keeps a silent connection open
   * (DynamoDB Local closes one after 30 s, which would reset the held request and let its retry through).
   */
  detachUpstream(): void;
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
 * the other (but for an upstream the injector detached), and a socket error only destroys that socket: a fault
 * injected here never crashes the test process.
 */
export async function startTcpProxy(target: string, handle: (connection: ProxiedConnection) => ConnectionHandlers): Promise<TcpProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.once('close', () => sockets.delete(socket));
  };
  const server = createServer((client) => {
    track(client);
    let handlers: ConnectionHandlers = {};
    const open = () => {
      const socket = connect(Number(port), hostname);
      track(socket);
      socket.on('data', (chunk: Buffer) => (handlers.fromUpstream ?? ((data: Buffer) => client.write(data)))(chunk));
      socket.once('close', () => {
        if (current === socket) client.destroy();
      });
      return socket;
    };
    let current: Socket | undefined = open();
    const connection: ProxiedConnection = {
      client,
      upstream: () => {
        current ??= open();
        return current;
      },
      detachUpstream: () => {
        const detached = current;
        current = undefined;
        detached?.destroy();
      },
    };
    handlers = handle(connection);
    client.on('data', handlers.fromClient ?? ((chunk: Buffer) => connection.upstream().write(chunk)));
    client.once('close', () => current?.destroy());
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
