import type { _Record as StreamApiRecord } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

/**
 * The event Lambda sends for records read from a DynamoDB stream: the Streams API's records as they are, with the
 * stream's ARN as `eventSourceARN` and the creation time in epoch seconds, as the event source mapping delivers them.
 */
export function toDynamoDBStreamEvent(records: readonly StreamApiRecord[], streamArn: string): DynamoDBStreamEvent {
  return { Records: records.map((record) => toLambdaRecord(record, streamArn)) };
}

function toLambdaRecord(record: StreamApiRecord, streamArn: string): DynamoDBRecord {
  const { ApproximateCreationDateTime, ...image } = record.dynamodb ?? {};
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: record.eventSource,
    awsRegion: record.awsRegion,
    eventSourceARN: streamArn,
    dynamodb: {
      ...(image as DynamoDBRecord['dynamodb']),
      ...(ApproximateCreationDateTime === undefined ? {} : { ApproximateCreationDateTime: Math.floor(ApproximateCreationDateTime.getTime() / 1000) }),
    },
  };
}
