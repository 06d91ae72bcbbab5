import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** The DynamoDB commands a client sent while one call ran, e.g. `['PutItem', 'UpdateItem']`. */
export type CommandLog = readonly string[];

/** Records every command a client sends, through a middleware on the client's own middleware stack. */
export interface CallRecorder {
  /** Runs `call` and returns the commands sent meanwhile, in order, with its outcome. */
  during<T>(call: () => Promise<T>): Promise<{ commands: CommandLog; outcome: PromiseSettledResult<T> }>;
}

/**
 * Adds a recording middleware to `client` at the `initialize` step: once per command, whatever the retries.
 * The bench sends with `maxAttempts: 1`, so a command is one round trip.
 */
export function recordCalls(client: DynamoDBClient): CallRecorder {
  let log: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      log.push((context.commandName ?? 'Unknown').replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'benchCallRecorder' },
  );
  return {
    async during(call) {
      log = [];
      const [outcome] = await Promise.allSettled([call()]);
      const commands = log;
      log = [];
      return { commands, outcome: outcome! };
    },
  };
}
