import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DescribeStreamCommand,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type DynamoDBStreamsClient,
  type ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { createInvocationContext } from './invocation-context.js';
import { toDynamoDBStreamEvent } from './stream-event.js';

/** A Lambda handler for a DynamoDB stream event source. */
export type StreamHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse | undefined>;

/** Options of {@link startStreamPoller}. */
export interface StreamPollerOptions {
  readonly client: DynamoDBStreamsClient;
  readonly streamArn: string;
  readonly handler: StreamHandler;
  readonly functionName: string;
  readonly functionTimeoutMs: number;
  /** Records per invocation, at most. */
  readonly batchSize: number;
  /** Retries of a failing batch before it is passed, as the event source mapping's `retryAttempts`. */
  readonly retryAttempts: number;
  /** How long to wait before reading again when no shard had records, in ms. @default 100 */
  readonly idleMs?: number;
  /**
   * How long the shards last described are trusted, in ms: after it, the next poll describes the stream again. A shard
   * that ends (a split, or the stream turned off) makes the next poll describe it at once. @default 60_000
   */
  readonly shardRefreshMs?: number;
  /** Receives a line when a batch fails or is passed, or the stream cannot be read. @default undefined */
  readonly log?: (line: string) => void;
}

/** A running stream poller. */
export interface StreamPoller {
  /** Stops reading (a read in flight is abandoned), and resolves once the batch in flight, if any, has finished. */
  stop(): Promise<void>;
}

/** Where the poller is in one shard: the iterator to read next, the last record passed, and the failures of the batch it retries. */
interface ShardCursor {
  iterator: string | undefined;
  passed: string | undefined;
  failures: number;
}

// An iterator that expired (15 minutes on AWS), or that DynamoDB Local took on an empty shard and refuses once records arrive.
const isStaleIterator = (error: unknown) => error instanceof ExpiredIteratorException || error instanceof TrimmedDataAccessException;

/**
 * Reads a DynamoDB stream and invokes `handler` with the events Lambda's event source mapping would send, as the
 * orders stack configures it: from the trim horizon, `batchSize` records at most, partial batch responses honoured
 * (the shard resumes from the first sequence number named, or from the batch's start when the handler throws), and
 * a batch that still fails after `retryAttempts` retries is logged and passed (on AWS it goes to the dead-letter queue).
 * It describes the stream at start, after a shard ends and every `shardRefreshMs`: an idle poll is one GetRecords per
 * open shard.
 */
export function startStreamPoller(options: StreamPollerOptions): StreamPoller {
  const stopping = new AbortController();
  const cursors = new Map<string, ShardCursor>();
  const log = options.log ?? (() => undefined);
  // Reads end at stop(): a read that hangs (DynamoDB Local gone, a stalled endpoint) must not hold the server's stop.
  const reading = { abortSignal: stopping.signal };
  const iteratorAt = async (shardId: string, type: ShardIteratorType, sequenceNumber?: string) =>
    (
      await options.client.send(
        new GetShardIteratorCommand({ StreamArn: options.streamArn, ShardId: shardId, ShardIteratorType: type, SequenceNumber: sequenceNumber }),
        reading,
      )
    ).ShardIterator;

  // The shard list changes only when a shard ends (its children then hold what follows it) or splits: describing it at
  // start, after a shard ended and every shardRefreshMs keeps an idle poll to one GetRecords per open shard.
  const shardRefreshMs = options.shardRefreshMs ?? 60_000;
  let describedAtMs: number | undefined;
  const discoverShards = async () => {
    if (describedAtMs !== undefined && performance.now() - describedAtMs < shardRefreshMs) return;
    const { StreamDescription } = await options.client.send(new DescribeStreamCommand({ StreamArn: options.streamArn }), reading);
    for (const shard of StreamDescription?.Shards ?? []) {
      if (shard.ShardId !== undefined && !cursors.has(shard.ShardId))
        cursors.set(shard.ShardId, { iterator: await iteratorAt(shard.ShardId, 'TRIM_HORIZON'), passed: undefined, failures: 0 });
    }
    describedAtMs = performance.now();
  };
  const advance = (cursor: ShardCursor, next: string | undefined) => {
    cursor.iterator = next;
    if (next === undefined) describedAtMs = undefined;
  };

  // One read of one shard; true when it delivered records.
  const pollShard = async (shardId: string, cursor: ShardCursor): Promise<boolean> => {
    const answer = await options.client
      .send(new GetRecordsCommand({ ShardIterator: cursor.iterator, Limit: options.batchSize }), reading)
      .catch(async (error: unknown) => {
        if (!isStaleIterator(error)) throw error;
        cursor.iterator = await (cursor.passed === undefined
          ? iteratorAt(shardId, 'TRIM_HORIZON')
          : iteratorAt(shardId, 'AFTER_SEQUENCE_NUMBER', cursor.passed));
        return undefined;
      });
    if (answer === undefined) return false;
    const records = answer.Records ?? [];
    if (records.length === 0) {
      advance(cursor, answer.NextShardIterator);
      return false;
    }
    const retryFrom = await invoke(toDynamoDBStreamEvent(records, options.streamArn));
    if (retryFrom === undefined || cursor.failures >= options.retryAttempts) {
      if (retryFrom !== undefined)
        log(`stream batch of ${shardId} still failing after ${options.retryAttempts} retries: passed (on AWS, to the dead-letter queue)`);
      advance(cursor, answer.NextShardIterator);
      cursor.passed = records.at(-1)?.dynamodb?.SequenceNumber;
      cursor.failures = 0;
      return true;
    }
    cursor.failures += 1;
    cursor.iterator = await iteratorAt(shardId, 'AT_SEQUENCE_NUMBER', retryFrom);
    return true;
  };

  // The sequence number to resume from, or undefined when the whole batch succeeded.
  const invoke = async (event: DynamoDBStreamEvent): Promise<string | undefined> => {
    const first = event.Records[0]?.dynamodb?.SequenceNumber;
    const context = createInvocationContext({ functionName: options.functionName, requestId: randomUUID(), timeoutMs: options.functionTimeoutMs });
    try {
      const response = await options.handler(event, context);
      const named = (response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier);
      if (named.length > 0) log(`stream batch failed from ${named.join(', ')}: retrying from there`);
      // Sequence numbers are decimal strings: the shorter one is the smaller.
      return named.sort((a, b) => a.length - b.length || a.localeCompare(b))[0];
    } catch (error) {
      log(`stream handler threw (${error instanceof Error ? error.message : String(error)}): retrying the batch`);
      return first;
    }
  };

  const run = async () => {
    while (!stopping.signal.aborted) {
      let delivered = false;
      try {
        await discoverShards();
        for (const [shardId, cursor] of cursors) {
          if (cursor.iterator !== undefined && !stopping.signal.aborted) delivered = (await pollShard(shardId, cursor)) || delivered;
        }
      } catch (error) {
        if (!stopping.signal.aborted) log(`cannot read the orders stream: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (!delivered) await sleep(options.idleMs ?? 100, undefined, { signal: stopping.signal }).catch(() => undefined);
    }
  };
  const running = run();
  return {
    stop: async () => {
      stopping.abort();
      await running;
    },
  };
}
