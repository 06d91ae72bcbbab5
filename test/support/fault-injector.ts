import { TransactionCanceledException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** The DynamoDB command behind each step of the idempotency lifecycle, so a fault can target one step. */
export const stepCommands = {
  claim: 'PutItemCommand',
  complete: 'UpdateItemCommand',
  release: 'DeleteItemCommand',
  transaction: 'TransactWriteItemsCommand',
} as const;

/** A lifecycle step a fault can target. */
export type LifecycleStep = keyof typeof stepCommands;

/** Which commands fail, and with what. The only fake in the test suite: it injects faults DynamoDB Local cannot produce. */
export interface FaultPlan {
  /** Command names to fail, e.g. `UpdateItemCommand`. */
  readonly commands: readonly string[];
  /** Builds the error to throw; defaults to a throttling error as the SDK raises it after its retries. */
  readonly error?: () => Error;
  /** Fail only the first N matching calls. @default Infinity */
  readonly times?: number;
  /** The share of matching calls that fail, from 0 to 1. @default 1 */
  readonly share?: number;
  /** Draws a number in [0, 1) per matching call, compared with `share`; pass a seeded one for reproducible runs. @default Math.random */
  readonly random?: () => number;
  /**
   * `request-lost`: the call never reaches DynamoDB Local. `response-lost`: it reaches DynamoDB Local and is applied,
   * then the answer is lost on the way back, as with a timeout or a dropped connection after the write.
   * @default 'request-lost'
   */
  readonly loses?: 'request-lost' | 'response-lost';
  /** Called with the command name each time a fault is injected. @default undefined */
  readonly onFault?: (commandName: string) => void;
  /**
   * `before-retries`: the fault is what the caller sees once the SDK's retries are spent. `inside-retries`: the fault
   * meets one attempt inside the SDK's retry loop, which then retries it (a lost response makes it resend a write
   * DynamoDB already applied); the error must be one the SDK retries, as every {@link faultKinds} is.
   * @default 'before-retries'
   */
  readonly at?: FaultPlacement;
}

/** Where a fault meets a call: outside the SDK's retry loop or inside it, on one attempt. */
export type FaultPlacement = 'before-retries' | 'inside-retries';

const sdkError = (name: string, message: string, fields: Record<string, unknown>): Error => Object.assign(new Error(message), { name, ...fields });

/** A throttling error shaped like the SDK's, once its own retries are spent. */
export function throttlingError(): Error {
  return sdkError('ProvisionedThroughputExceededException', 'Rate of requests exceeds the allowed throughput.', {
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });
}

/** DynamoDB's 500, as the SDK raises it once its own retries are spent. */
export function internalServerError(): Error {
  return sdkError('InternalServerError', 'Internal server error', { $fault: 'server', $metadata: { httpStatusCode: 500 } });
}

/** The SDK's request timeout (`requestTimeout` of the Node HTTP handler). */
export function timeoutError(): Error {
  return sdkError('TimeoutError', 'Connection timed out after 1000 ms', { $metadata: {} });
}

/** A connection dropped mid-call, as Node raises it through the SDK: `socket hang up`, code `ECONNRESET`. */
export function connectionResetError(): Error {
  return sdkError('Error', 'socket hang up', { code: 'ECONNRESET', $metadata: {} });
}

/**
 * A `TransactWriteItems` cancelled with one reason code per item, e.g. `['TransactionConflict', 'None']`: what DynamoDB
 * answers when a transaction met throttling or another transaction, which DynamoDB Local cannot be made to do on cue.
 */
export function transactionCanceledError(codes: readonly string[]): () => Error {
  return () =>
    new TransactionCanceledException({
      message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
      $metadata: { httpStatusCode: 400 },
      CancellationReasons: codes.map((Code) => (Code === 'None' ? { Code } : { Code, Message: `${Code} on this item` })),
    });
}

/** Every fault kind by name, for `it.each`. */
export const faultKinds = {
  throttling: throttlingError,
  'internal server error': internalServerError,
  timeout: timeoutError,
  'dropped connection': connectionResetError,
} as const;

/**
 * Fault injector: adds a middleware to a real client so that a share of chosen commands fail before they reach
 * DynamoDB Local, or after it applied them (`loses: 'response-lost'`). Everything else still goes to the real DynamoDB
 * Local. Before the SDK's retry step (`initialize`) an injected fault is what the caller sees after the SDK's retries;
 * right after the retry middleware (`at: 'inside-retries'`) it fails one attempt and the SDK sends the request again.
 * Returns a function that stops injecting.
 */
export function injectFaults(client: DynamoDBClient, plan: FaultPlan): () => void {
  let remaining = plan.times ?? Number.POSITIVE_INFINITY;
  const share = plan.share ?? 1;
  const random = plan.random ?? Math.random;
  const name = `faultInjector-${Math.random().toString(36).slice(2)}`;
  const shouldFail = (commandName: string) => {
    if (remaining <= 0 || !plan.commands.includes(commandName) || random() >= share) return false;
    remaining -= 1;
    plan.onFault?.(commandName);
    return true;
  };
  // One body for both placements; the stack's step-specific handler types differ only in name.
  const middleware = (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
    const commandName = context.commandName ?? '';
    if (plan.loses !== 'response-lost') {
      if (shouldFail(commandName)) throw (plan.error ?? throttlingError)();
      return next(args);
    }
    const output = await next(args);
    if (shouldFail(commandName)) throw (plan.error ?? timeoutError)();
    return output;
  };
  if (plan.at === 'inside-retries') {
    client.middlewareStack.addRelativeTo(middleware as never, { relation: 'after', toMiddleware: 'retryMiddleware', name });
  } else {
    client.middlewareStack.add(middleware as never, { step: 'initialize', name });
  }
  return () => client.middlewareStack.remove(name);
}

/**
 * Fault injector: strips the old item from a failed conditional write, as a backend without
 * `ReturnValuesOnConditionCheckFailure` support would. The condition failure itself is real.
 */
export function dropReturnedOldItems(client: DynamoDBClient): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (error instanceof Error && 'Item' in error) delete (error as { Item?: unknown }).Item;
        throw error;
      }
    },
    { step: 'initialize', name: 'faultInjectorDropOldItems' },
  );
}
