import type { MiddlewareStack } from '@smithy/types';

/** Counts the commands a client sends, by command name, through a middleware on its own middleware stack. */
export interface CallCounter {
  /** Calls since the last reset, e.g. `{ PutItemCommand: 1 }`. */
  readonly calls: Record<string, number>;
  total(): number;
  reset(): void;
}

/** Adds a counting middleware to `client` (any AWS SDK v3 client: DynamoDB, DynamoDB Streams) and returns its counter. */
export function countCalls<Input extends object, Output extends object>(client: { middlewareStack: MiddlewareStack<Input, Output> }): CallCounter {
  const calls: Record<string, number> = {};
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      calls[name] = (calls[name] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'testCallCounter' },
  );
  return {
    calls,
    total: () => Object.values(calls).reduce((sum, count) => sum + count, 0),
    reset: () => {
      for (const name of Object.keys(calls)) delete calls[name];
    },
  };
}
