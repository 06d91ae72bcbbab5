// Node's own, not the global: a test that fakes the global timers (Jest's or Vitest's) must not stall a batch.
import { setImmediate } from 'node:timers';
import type { IdempotencyLogger } from '../options.js';
import { batchOperationsOf } from '../store/dynamodb-batch-operations.js';
import type { CompleteResult, Completion, IdempotencyStore } from '../store/store.js';

type Waiting = Completion & { readonly settle: (answer: Promise<CompleteResult>) => void };

/**
 * Builds a batch handler's completion writer: the completions of records that finish in the same turn of the event
 * loop go to the store together, in one `completeMany` (one `BatchExecuteStatement` per 25 on DynamoDB), and a
 * completion that finishes alone goes through `complete`, as it always did. Each record still gets its own answer: if
 * the call fails, `log` gets one line and each completes on its own (a fenced `complete` recognises a batched write
 * that landed). Undefined for a store without `completeMany`, whose records complete one by one.
 */
export function createCompletionBatch(store: IdempotencyStore, log: IdempotencyLogger): IdempotencyStore['complete'] | undefined {
  const { completeMany } = batchOperationsOf(store);
  if (completeMany === undefined) return undefined;
  let waiting: Waiting[] = [];
  const flush = () => {
    const batch = waiting;
    waiting = [];
    if (batch.length === 1) {
      const [only] = batch as [Waiting];
      only.settle(store.complete(only.claim, only.result));
      return;
    }
    const answers = completeMany(batch).catch((error: unknown): CompleteResult[] => {
      log('Completing records together failed; each record completes on its own', { error });
      return [];
    });
    // Each completion the call did not answer (all, after a failure) completes on its own.
    for (const [index, { claim, result, settle }] of batch.entries()) settle(answers.then((all) => all[index] ?? store.complete(claim, result)));
  };
  return (claim, result) =>
    new Promise<CompleteResult>((resolve) => {
      // The first completion of a turn schedules the write; the others of that turn join it.
      if (waiting.length === 0) setImmediate(flush);
      waiting.push({ claim, result, settle: resolve });
    });
}
