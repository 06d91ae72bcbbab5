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
  const { record, recorder } = createCallRecorder();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      record((context.commandName ?? 'Unknown').replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'benchCallRecorder' },
  );
  return recorder;
}

/** A {@link CallRecorder} fed by `record(name)`, for a client without a middleware stack. */
export function createCallRecorder(): { record: (command: string) => void; recorder: CallRecorder } {
  let log: string[] = [];
  return {
    record: (command) => log.push(command),
    recorder: {
      async during(call) {
        log = [];
        const [outcome] = await Promise.allSettled([call()]);
        const commands = log;
        log = [];
        return { commands, outcome: outcome! };
      },
    },
  };
}
