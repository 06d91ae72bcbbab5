import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { MiddlewareStack } from '@smithy/types';

/** Any AWS SDK v3 client (DynamoDB, DynamoDB Streams): what a counting middleware needs of it. */
type SdkClient<Input extends object, Output extends object> = { middlewareStack: MiddlewareStack<Input, Output> };

/** Counts the commands a client sends, by command name, through a middleware on its own middleware stack. */
export interface CallCounter {
  /** Calls since the last reset, e.g. `{ PutItemCommand: 1 }`. */
  readonly calls: Record<string, number>;
  total(): number;
  reset(): void;
}

/** The DynamoDB commands a client sent while one call ran, e.g. `['PutItem', 'UpdateItem']`. */
export type CommandLog = readonly string[];

/** Records every command a client sends while one call runs. */
export interface CallRecorder {
  /** Runs `call` and returns the commands sent meanwhile, in order, with its outcome. */
  during<T>(call: () => Promise<T>): Promise<{ commands: CommandLog; outcome: PromiseSettledResult<T> }>;
}

// At the `initialize` step: once per command, whatever the SDK's retries do after it.
function onEveryCommand<Input extends object, Output extends object>(client: SdkClient<Input, Output>, name: string, see: (commandName: string) => void): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      see(context.commandName ?? 'unknown');
      return next(args);
    },
    { step: 'initialize', name },
  );
}

/** Adds a counting middleware to `client` (any AWS SDK v3 client: DynamoDB, DynamoDB Streams) and returns its counter. */
export function countCalls<Input extends object, Output extends object>(client: SdkClient<Input, Output>): CallCounter {
  const calls: Record<string, number> = {};
  onEveryCommand(client, 'testCallCounter', (name) => {
    calls[name] = (calls[name] ?? 0) + 1;
  });
  return {
    calls,
    total: () => Object.values(calls).reduce((sum, count) => sum + count, 0),
    reset: () => {
      for (const name of Object.keys(calls)) delete calls[name];
    },
  };
}

/**
 * Adds a recording middleware to `client`: commands by name without the `Command` suffix. A command is one round
 * trip when the client sends with `maxAttempts: 1`, as the bench's clients do.
 */
export function recordCalls(client: DynamoDBClient): CallRecorder {
  const { record, recorder } = createCallRecorder();
  onEveryCommand(client, 'callRecorder', (name) => record(name.replace(/Command$/, '')));
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
