import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type DynamoDBClientConfig,
} from '@aws-sdk/client-dynamodb';
import type { CompletionUpdate } from './dynamodb-transaction.js';
import { IdempotencyStoreError } from '../errors.js';
import { createItemExpressions } from './dynamodb-expressions.js';
import { fromItem, isOwnWrite, itemAttributeNames, resultAttributes, toClaimItem, type Item } from './dynamodb-item.js';
import { RecordStatus, type IdempotencyRecord } from '../record.js';
import { encodeResult } from './result-encoding.js';
import { resultRoomBytes } from './dynamodb-item-size.js';
import { newClaim } from './new-claim.js';
import type { Claim, ClaimRequest, ClaimResult, CompleteResult, FencedWriteResult, IdempotencyStore } from './store.js';
import { validateDynamoDBStoreOptions } from './dynamodb-store-options.js';
import { recordKey } from './dynamodb-table-key.js';
import { dynamoDBBatchSupport, type DynamoDBBatchSupport } from './dynamodb-batch-support.js';
import { createDynamoDBSteps, type ConditionalAnswer } from './dynamodb-steps.js';

/** Options of {@link createDynamoDBStore}. Pass either `client` or `clientConfig`, not both. */
export type DynamoDBStoreOptions = {
  /** The table's name. Required. */
  tableName: string;
  /** The string partition key attribute; at most 255 bytes, and none of the record's own attribute names. @default 'id' */
  keyAttribute?: string;
  /**
   * The string sort key attribute, for a table whose key has one (a single-table design); at most 255 bytes, and none
   * of the other names. A record then sits at partition `idempotency#<record id>`, sort `idempotency`.
   * @default undefined: the table's key is `keyAttribute` alone, whose value is the record id
   */
  sortKeyAttribute?: string;
  /** The TTL attribute, in epoch seconds; enable TTL on it. At most 255 bytes, and none of the record's own attribute names. @default 'expiration' */
  expiryAttribute?: string;
  /** Results larger than this many bytes of JSON are gzip-compressed. @default 1024 */
  compressAboveBytes?: number;
  /**
   * Results still larger than this after compression are not stored (duplicates get an error). At most what fits in a
   * 400 KB item beside the record's other attributes (409,318 with the default names). @default 390_000
   */
  maxStoredResultBytes?: number;
} & ({ client?: DynamoDBClient; clientConfig?: never } | { client?: never; clientConfig?: DynamoDBClientConfig });

/** The default values of {@link DynamoDBStoreOptions}. */
export const dynamoDBStoreDefaults = {
  keyAttribute: 'id',
  expiryAttribute: 'expiration',
  compressAboveBytes: 1024,
  // DynamoDB items are at most 400 KB, attribute names included; this leaves room for the other attributes.
  maxStoredResultBytes: 390_000,
} as const;

/** A DynamoDB-backed {@link IdempotencyStore} that can also complete a claim inside the caller's transaction. */
export interface DynamoDBStore extends IdempotencyStore {
  readonly tableName: string;
  readonly client: DynamoDBClient;
  /** Stores a step's result in the claim's record with one fenced `UpdateItem`; see {@link IdempotencyStore.saveStep}. */
  saveStep(claim: Claim, name: string, json: string | undefined): Promise<FencedWriteResult>;
  /** Reads the record of `id` with a strongly consistent `GetItem`, or `undefined` when there is none. */
  get(id: string): Promise<IdempotencyRecord | undefined>;
  /** What a batch handler's reads and writes of many records need of this store (see `batchOperationsOf`). */
  readonly [dynamoDBBatchSupport]: DynamoDBBatchSupport;
  /** The fenced completion of `claim` with `result`, as a transaction's `Update` item, for `completeWithTransaction`. */
  completionUpdate(claim: Claim, result: unknown): { readonly update: CompletionUpdate; readonly resultStored: boolean };
}

/**
 * Creates an idempotency store on one DynamoDB table. Fully configured here and immutable after.
 *
 * A claim is one conditional `PutItem` with `ReturnValuesOnConditionCheckFailure: ALL_OLD`, so a duplicate costs
 * one call; completion is one `UpdateItem` and release one `DeleteItem`, both conditional on the claim's lease token;
 * `get` is one `GetItem` with `ConsistentRead`. A batch handler reads records ahead with one strongly consistent
 * `BatchGetItem` per 100, and claims and completes records together with one `BatchExecuteStatement` of PartiQL
 * `INSERT`s or fenced `UPDATE`s per 25. With steps (see `step`): each step is one fenced `UpdateItem`; a
 * claim that resumes a record with steps is the refused `PutItem` plus one `UpdateItem`, and a release that keeps
 * steps is one `UpdateItem`.
 * @throws {TypeError} naming the option when an option is invalid.
 * @example
 * ```ts
 * import { createDynamoDBStore } from 'lambda-idempotency';
 * const store = createDynamoDBStore({ tableName: 'idempotency' });
 * ```
 */
export function createDynamoDBStore(options: DynamoDBStoreOptions): DynamoDBStore {
  const resolved = validateDynamoDBStoreOptions({ ...dynamoDBStoreDefaults, ...options });
  const { tableName } = resolved;
  const client = options.client ?? new DynamoDBClient(options.clientConfig ?? {});
  const names = itemAttributeNames(resolved.keyAttribute, resolved.expiryAttribute, resolved.sortKeyAttribute);
  const expressions = createItemExpressions(names);
  const keyOf = (id: string) => recordKey(id, names);
  const limits = { compressAboveBytes: resolved.compressAboveBytes, maxStoredBytes: resolved.maxStoredResultBytes };

  // A conditional write: its output, or the item as it was when the condition failed. The old item comes with the
  // failure (ALL_OLD); a backend that drops it costs one consistent read, since an eventual one could miss the item.
  const sendConditional = async (operation: string, id: string, call: () => Promise<{ Attributes?: Item }>): Promise<ConditionalAnswer> => {
    try {
      return { written: true, attributes: (await call()).Attributes };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) {
        throw new IdempotencyStoreError(`DynamoDB ${operation} failed for idempotency record ${id} in table ${tableName}`, { cause: error });
      }
      return { written: false, oldItem: error.Item ?? (await readRecord(id)) };
    }
  };

  const readRecord = async (id: string): Promise<Item | undefined> => {
    try {
      return (await client.send(new GetItemCommand({ TableName: tableName, Key: keyOf(id), ConsistentRead: true }))).Item;
    } catch (error) {
      throw new IdempotencyStoreError(`DynamoDB GetItem failed for idempotency record ${id} in table ${tableName}`, { cause: error });
    }
  };

  const steps = createDynamoDBSteps({ client, tableName, names, expressions, sendConditional });

  // Every write below may be an SDK retry of an attempt DynamoDB already applied (its answer lost to a timeout or a
  // reset connection): the retry's condition then fails on our own write, which the lease token recognises.
  const claim = async (request: ClaimRequest): Promise<ClaimResult> => {
    // A store with steps returns them with every claim: a fresh claim starts with none.
    const claimed: Claim = { ...newClaim(request), steps: new Map() };
    const condition = expressions.claim(request.nowMs);
    const answer = await sendConditional('PutItem', request.id, () =>
      client.send(
        new PutItemCommand({ TableName: tableName, Item: toClaimItem(claimed, names), ...condition, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
      ),
    );
    // The put only writes over a record without steps, so a claim it made starts with none.
    if (answer.written || isOwnWrite(answer.oldItem, names, claimed.leaseToken, RecordStatus.InProgress)) return { kind: 'claimed', claim: claimed };
    // Only a backend that drops ALL_OLD and loses the item between two calls gets here; the caller may retry.
    if (answer.oldItem === undefined) throw new IdempotencyStoreError(`Idempotency record ${request.id} changed during its claim`, { cause: undefined });
    const record = fromItem(answer.oldItem, names);
    // A record with steps refused the put: it is claimed by one update that keeps them, with no read.
    if (answer.oldItem[names.steps] !== undefined && steps.isResumable(record, request)) return steps.resume(claimed, answer.oldItem, record, request.nowMs);
    return { kind: 'held', record };
  };

  // The result attribute of a completion: what the item has room for beside this claim's own attributes, so too large
  // is `not-stored`, never a failed write.
  const resultOf = (owned: Claim, result: unknown) => {
    const encoded = encodeResult(result, { ...limits, maxStoredBytes: Math.min(limits.maxStoredBytes, resultRoomBytes(owned, names)) });
    return { attributes: resultAttributes(encoded, names), resultStored: encoded.kind !== 'not-stored' };
  };

  // The same fenced update serves the plain completion and the transactional one.
  const completionOf = (owned: Claim, result: unknown): { update: CompletionUpdate; resultStored: boolean } => {
    const { attributes, resultStored } = resultOf(owned, result);
    const update = expressions.complete(owned.leaseToken, owned.expiresAtEpochSeconds, attributes);
    return { update: { TableName: tableName, Key: keyOf(owned.id), ...update }, resultStored };
  };

  const complete = async (owned: Claim, result: unknown): Promise<CompleteResult> => {
    const { update, resultStored } = completionOf(owned, result);
    const answer = await sendConditional('UpdateItem', owned.id, () =>
      client.send(new UpdateItemCommand({ ...update, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' })),
    );
    const ours = answer.written || isOwnWrite(answer.oldItem, names, owned.leaseToken, RecordStatus.Completed);
    return ours ? { kind: 'completed', resultStored } : { kind: 'lease-lost' };
  };

  const release = async (owned: Claim): Promise<FencedWriteResult> => {
    // Steps outlive a release: the retry resumes after them. A record without steps goes, as it always did.
    if ((owned.steps?.size ?? 0) > 0) return steps.releaseKeepingSteps(owned);
    const answer = await sendConditional('DeleteItem', owned.id, () =>
      client.send(
        new DeleteItemCommand({
          TableName: tableName,
          Key: keyOf(owned.id),
          ...expressions.ownsClaimWithoutSteps(owned.leaseToken),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
    );
    // No item left: our earlier attempt deleted it (or its retention ended); either way the key is free.
    if (answer.written || answer.oldItem === undefined) return 'done';
    // Still ours but holding steps this claim did not learn of (a step write whose answer was lost): keep them.
    return isOwnWrite(answer.oldItem, names, owned.leaseToken, RecordStatus.InProgress) ? steps.releaseKeepingSteps(owned) : 'lease-lost';
  };

  // Strongly consistent: an eventual read could show a released or completed key as still in progress, or the reverse.
  const get = async (id: string): Promise<IdempotencyRecord | undefined> => {
    const item = await readRecord(id);
    return item === undefined ? undefined : fromItem(item, names);
  };

  const batchSupport: DynamoDBBatchSupport = { client, tableName, names, resultOf, complete };

  return { tableName, client, claim, complete, release, get, [dynamoDBBatchSupport]: batchSupport, saveStep: steps.saveStep, completionUpdate: completionOf };
}
