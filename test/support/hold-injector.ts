import { startTcpProxy } from './tcp-proxy.js';

/** A TCP fault injector in front of DynamoDB that holds back or cuts requests of chosen operations. */
export interface HoldInjector {
  /** `http://127.0.0.1:<port>`: give it to the code under test as its DynamoDB endpoint. */
  readonly endpoint: string;
  /** How many requests of each operation (`GetItem`, `PutItem`, …) reached the injector. */
  readonly seen: Record<string, number>;
  /** Holds back the next request of `operation` (and what follows it on its connection). @default the injector's operation */
  hold(operation?: string): void;
  /** Sends the held request of `operation`, and what followed it on its connection, on to DynamoDB. @default the injector's operation */
  release(operation?: string): void;
  /** From now on resets the connection of every request of `operation` before it reaches DynamoDB, retries included. */
  cut(operation: string): void;
  /** Lets requests of `operation` through again after {@link HoldInjector.cut}. */
  mend(operation: string): void;
  stop(): Promise<void>;
}

const operationPattern = /x-amz-target:\s*DynamoDB_20120810\.(\w+)/i;

/**
 * Fault injector: a TCP proxy to `target` (DynamoDB Local) that, once asked to {@link HoldInjector.hold}, holds the next
 * request of an operation (by default `operation`, say `TransactWriteItems`) until {@link HoldInjector.release}, as a
 * slow network or a busy partition would; or, once asked to {@link HoldInjector.cut}, drops the connection of every
 * request of an operation, as a network that loses DynamoDB would. A handler under test then stays in progress, or
 * meets the outage, for exactly as long as the test decides, whatever the machine's speed.
 */
export async function startHoldInjector(target: string, operation: string): Promise<HoldInjector> {
  const seen: Record<string, number> = {};
  const toHold = new Set<string>();
  const heldBack = new Map<string, () => void>();
  const cutOperations = new Set<string>();
  const proxy = await startTcpProxy(target, (connection) => {
    const queue: Buffer[] = [];
    let held = false;
    return {
      fromClient: (chunk) => {
        const named = operationPattern.exec(chunk.toString('latin1'))?.[1];
        if (named !== undefined) seen[named] = (seen[named] ?? 0) + 1;
        if (named !== undefined && cutOperations.has(named)) {
          connection.client.destroy();
          return;
        }
        if (named !== undefined && toHold.delete(named)) {
          held = true;
          // The held request starts a new exchange on this connection: the old socket to DynamoDB carries nothing more,
          // and a fresh one takes the request at its release, however long the hold (DynamoDB Local closes a silent
          // connection after 30 s; the SDK would then retry the request on another connection, past the hold).
          connection.detachUpstream();
          heldBack.set(named, () => {
            held = false;
            for (const queued of queue.splice(0)) connection.upstream().write(queued);
          });
        }
        if (held) queue.push(chunk);
        else connection.upstream().write(chunk);
      },
    };
  });
  return {
    endpoint: proxy.endpoint,
    seen,
    hold: (held = operation) => {
      toHold.add(held);
    },
    release: (held = operation) => {
      heldBack.get(held)?.();
      heldBack.delete(held);
    },
    cut: (cut) => {
      cutOperations.add(cut);
    },
    mend: (cut) => {
      cutOperations.delete(cut);
    },
    stop: proxy.stop,
  };
}
