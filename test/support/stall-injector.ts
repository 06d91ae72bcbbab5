import { startTcpProxy } from './tcp-proxy.js';

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
  let stalled = false;
  const proxy = await startTcpProxy(target, ({ client, upstream }) => ({
    fromClient: (chunk) => {
      if (!stalled) upstream().write(chunk);
    },
    fromUpstream: (chunk) => {
      if (!stalled) client.write(chunk);
    },
  }));
  return {
    endpoint: proxy.endpoint,
    stall: () => {
      stalled = true;
    },
    stop: proxy.stop,
  };
}
