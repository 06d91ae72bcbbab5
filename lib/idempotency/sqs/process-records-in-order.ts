import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';

/** Why a record is reported to SQS as failed: it threw, or an earlier record of its FIFO message group failed. */
export type SqsRecordFailure = { readonly kind: 'failed'; readonly error: unknown } | { readonly kind: 'skipped'; readonly messageGroupId: string };

/**
 * Runs `processRecord` over the records one at a time, in batch order, and answers with the partial batch response
 * that names every record that failed, each message id once.
 *
 * One at a time, so that a duplicate inside the batch finds its twin already completed, and FIFO order holds. On a
 * FIFO queue, once a record fails, every later record of its message group is reported as failed without running:
 * SQS must redeliver them after the failed one. Records of other groups, and of standard queues, still run.
 */
export async function processRecordsInOrder(
  records: readonly SQSRecord[],
  processRecord: (record: SQSRecord) => Promise<unknown>,
  onFailure: (record: SQSRecord, failure: SqsRecordFailure) => void,
): Promise<SQSBatchResponse> {
  const failedMessageIds = new Set<string>();
  const failedGroups = new Set<string>();
  for (const record of records) {
    const messageGroupId = record.attributes?.MessageGroupId;
    if (messageGroupId !== undefined && failedGroups.has(messageGroupId)) {
      failedMessageIds.add(record.messageId);
      onFailure(record, { kind: 'skipped', messageGroupId });
      continue;
    }
    try {
      await processRecord(record);
    } catch (error) {
      failedMessageIds.add(record.messageId);
      if (messageGroupId !== undefined) failedGroups.add(messageGroupId);
      onFailure(record, { kind: 'failed', error });
    }
  }
  return { batchItemFailures: [...failedMessageIds].map((itemIdentifier) => ({ itemIdentifier })) };
}
