import type { SQSEvent, SQSRecord } from 'aws-lambda';

/** An SQS record as Lambda delivers it; `messageGroupId` makes it a FIFO record. */
export function createSqsRecord(messageId: string, options: { body?: string; messageGroupId?: string } = {}): SQSRecord {
  const queue = options.messageGroupId === undefined ? 'orders' : 'orders.fifo';
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body: options.body ?? JSON.stringify({ messageId }),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1764000000000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1764000000000',
      ...(options.messageGroupId === undefined ? {} : { MessageGroupId: options.messageGroupId, MessageDeduplicationId: messageId, SequenceNumber: '1' }),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queue}`,
    awsRegion: 'us-east-1',
  };
}

/** An SQS event holding `records`. */
export function createSqsEvent(records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

/** The message ids a partial batch response asks SQS to redeliver. */
export function failedMessageIds(response: { batchItemFailures: Array<{ itemIdentifier: string }> }): string[] {
  return response.batchItemFailures.map((failure) => failure.itemIdentifier);
}

/**
 * `record` as SQS delivers it again after its visibility timeout: the same message id, body and attributes, a new
 * receipt handle (SQS issues one per receive) and `ApproximateReceiveCount` one higher.
 */
export function redeliverSqsRecord(record: SQSRecord): SQSRecord {
  const receiveCount = Number(record.attributes.ApproximateReceiveCount) + 1;
  return {
    ...record,
    receiptHandle: `receipt-${record.messageId}-${receiveCount}`,
    attributes: { ...record.attributes, ApproximateReceiveCount: String(receiveCount) },
  };
}
