import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { recordLanes, runInLanes, type BatchPlan } from '../batch/run-in-lanes.js';

/** Why a record is reported to SQS as failed: it threw, or an earlier record of its FIFO message group failed. */
export type SqsRecordFailure = { readonly kind: 'failed'; readonly error: unknown } | { readonly kind: 'skipped'; readonly messageGroupId: string };

/** How {@link processSqsRecords} runs a batch, and where it reports each failure. */
export interface SqsBatchPlan<TItem extends { readonly record: SQSRecord }> extends BatchPlan<TItem> {
  readonly onFailure: (record: SQSRecord, failure: SqsRecordFailure) => void;
}

/**
 * Runs `processRecord` over the records, concurrently, and answers with the partial batch response that names every
 * record that failed, each message id once, in batch order.
 *
 * Records of one FIFO message group run in batch order, and once one fails every later record of its group is
 * reported as failed without running: SQS must redeliver them after the failed one. Records that share a key run
 * one after another, so a duplicate inside the batch finds its twin completed and replays it. Everything else overlaps.
 */
export async function processSqsRecords<TItem extends { readonly record: SQSRecord }>(
  items: readonly TItem[],
  plan: SqsBatchPlan<TItem>,
): Promise<SQSBatchResponse> {
  const failed = new Set<TItem>();
  const failedGroups = new Set<string>();
  const lanesOf = (item: TItem) => recordLanes(item.record.attributes?.MessageGroupId, plan.keyLaneOf(item));
  await runInLanes(items, lanesOf, plan.maxConcurrency, async (item) => {
    const messageGroupId = item.record.attributes?.MessageGroupId;
    if (messageGroupId !== undefined && failedGroups.has(messageGroupId)) {
      failed.add(item);
      plan.onFailure(item.record, { kind: 'skipped', messageGroupId });
      return;
    }
    try {
      await plan.processRecord(item);
    } catch (error) {
      failed.add(item);
      if (messageGroupId !== undefined) failedGroups.add(messageGroupId);
      plan.onFailure(item.record, { kind: 'failed', error });
    }
  });
  const failedMessageIds = new Set(items.filter((item) => failed.has(item)).map((item) => item.record.messageId));
  return { batchItemFailures: [...failedMessageIds].map((itemIdentifier) => ({ itemIdentifier })) };
}
