import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Which commands fail, and with what. The only fake in the test suite: it injects faults DynamoDB Local cannot produce. */
export interface FaultPlan {
  /** Command names to fail, e.g. `UpdateItemCommand`. */
  readonly commands: readonly string[];
  /** Builds the error to throw; defaults to a throttling error as the SDK raises it after its retries. */
  readonly error?: () => Error;
  /** Fail only the first N matching calls. @default Infinity */
  readonly times?: number;
}

/** A throttling error shaped like the SDK's, once its own retries are spent. */
export function throttlingError(): Error {
  const error = new Error('Rate of requests exceeds the allowed throughput.');
  error.name = 'ProvisionedThroughputExceededException';
  return error;
}

/**
 * Fault injector: adds a middleware to a real client so that chosen commands fail before they reach DynamoDB Local.
 * Everything else still goes to the real DynamoDB Local. Returns a function that stops injecting.
 */
export function injectFaults(client: DynamoDBClient, plan: FaultPlan): () => void {
  let remaining = plan.times ?? Number.POSITIVE_INFINITY;
  const name = `faultInjector-${Math.random().toString(36).slice(2)}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (remaining > 0 && plan.commands.includes(context.commandName ?? '')) {
        remaining -= 1;
        throw (plan.error ?? throttlingError)();
      }
      return next(args);
    },
    { step: 'initialize', name },
  );
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
