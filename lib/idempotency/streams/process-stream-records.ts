import { recordLanes, runInLanes, type BatchPlan } from '../batch/run-in-lanes.js';
import type { StreamPosition } from './stream-record.js';

/** The partial batch response of a Kinesis or DynamoDB stream event source: where Lambda resumes each shard. */
export interface StreamBatchResponse {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

/** How {@link processStreamRecords} runs a batch, and where it reports the failure that stops a shard. */
export interface StreamBatchPlan<TItem extends { readonly position: StreamPosition }> extends BatchPlan<TItem> {
  readonly onFailure: (item: TItem, error: unknown) => void;
}

/**
 * Runs `processRecord` over the records of each shard in batch order, shards side by side, and answers with the
 * sequence number of the first record that failed in each shard.
 *
 * A stream is ordered per shard, and Lambda resumes a shard from the record the response names: so once a record
 * fails, the later records of its shard do not run, and they are not named either (the retry starts before them).
 */
export async function processStreamRecords<TItem extends { readonly position: StreamPosition }>(
  items: readonly TItem[],
  plan: StreamBatchPlan<TItem>,
): Promise<StreamBatchResponse> {
  const firstFailureOfShard = new Map<string, TItem>();
  const lanesOf = (item: TItem) => recordLanes(item.position.shard, plan.keyLaneOf(item));
  await runInLanes(items, lanesOf, plan.maxConcurrency, async (item) => {
    if (firstFailureOfShard.has(item.position.shard)) return;
    try {
      await plan.processRecord(item);
    } catch (error) {
      firstFailureOfShard.set(item.position.shard, item);
      plan.onFailure(item, error);
    }
  });
  const failed = new Set(firstFailureOfShard.values());
  return { batchItemFailures: items.filter((item) => failed.has(item)).map((item) => ({ itemIdentifier: item.position.sequenceNumber })) };
}
