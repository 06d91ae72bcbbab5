import { UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IdempotencyRecordCorruptError, IdempotencyStoreError } from '../errors.js';
import { fingerprintsDiffer, isClaimable, isRecordExpired, RecordStatus, type IdempotencyRecord } from '../record.js';
import type { ItemExpressions, UpdateParams } from './dynamodb-expressions.js';
import { fromItem, isOwnWrite, readSteps, toClaimItem, type Item, type ItemAttributeNames } from './dynamodb-item.js';
import { createStepExpressions } from './dynamodb-step-expressions.js';
import { recordKey } from './dynamodb-table-key.js';
import type { Claim, ClaimRequest, ClaimResult, FencedWriteResult } from './store.js';

/** A conditional write's answer: what it returned, or the item as it was when its condition failed. */
export type ConditionalAnswer =
  | { readonly written: true; readonly attributes: Item | undefined }
  | { readonly written: false; readonly oldItem: Item | undefined };

/** What the step operations share with the store that owns them. */
export interface DynamoDBStepsSetup {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly names: ItemAttributeNames;
  readonly expressions: ItemExpressions;
  /** Sends a conditional write of record `id`; a failed condition is an answer, any other failure an IdempotencyStoreError. */
  readonly sendConditional: (operation: string, id: string, call: () => Promise<{ Attributes?: Item }>) => Promise<ConditionalAnswer>;
}

/** The step side of a DynamoDB store: claims that keep steps, fenced step writes, releases that keep steps. */
export interface DynamoDBSteps {
  /** True when a claim refused by `record` (which holds steps, as `seen`) may take it over and resume. */
  isResumable(record: IdempotencyRecord, request: ClaimRequest): boolean;
  /** Claims the record `seen` (which holds steps; `record` is its reading) with an update that keeps them, or drops them when its retention passed. */
  resume(claimed: Claim, seen: Item, record: IdempotencyRecord, nowMs: number): Promise<ClaimResult>;
  saveStep(claim: Claim, name: string, json: string | undefined): Promise<FencedWriteResult>;
  /** Ends the lease of `owned` but keeps the record and its steps, for a retry to resume. */
  releaseKeepingSteps(owned: Claim): Promise<FencedWriteResult>;
}

/** Builds the step operations of one DynamoDB store. */
export function createDynamoDBSteps(setup: DynamoDBStepsSetup): DynamoDBSteps {
  const { client, tableName, names, sendConditional } = setup;
  const stepExpressions = createStepExpressions(names, setup.expressions);
  const update = (id: string, params: UpdateParams, returnOld: boolean) =>
    sendConditional('UpdateItem', id, () =>
      client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: recordKey(id, names),
          ...params,
          ...(returnOld ? { ReturnValues: 'ALL_OLD' } : {}),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
    );
  const ownClaim = (item: Item | undefined, leaseToken: string) => isOwnWrite(item, names, leaseToken, RecordStatus.InProgress);

  // Another payload never resumes this one's steps (it is refused as a mismatch, by the fingerprint-first rule), unless
  // the record's retention has passed: then it counts as absent.
  const isResumable = (record: IdempotencyRecord, request: ClaimRequest) =>
    isClaimable(record, request.nowMs) && (isRecordExpired(record, request.nowMs) || !fingerprintsDiffer(record, request.fingerprintHash));

  const resume = async (claimed: Claim, seen: Item, record: IdempotencyRecord, nowMs: number): Promise<ClaimResult> => {
    const seenToken = seen[names.leaseToken]?.S;
    if (seenToken === undefined) throw new IdempotencyRecordCorruptError(claimed.id, `its ${names.leaseToken} attribute is missing`, { cause: undefined });
    readSteps(seen, names);
    // A record past its retention counts as absent: its steps belong to a request that is over.
    const dropSteps = isRecordExpired(record, nowMs);
    const answer = await update(claimed.id, stepExpressions.resumeClaim(toClaimItem(claimed, names), seenToken, nowMs, dropSteps), true);
    if (answer.written) return { kind: 'claimed', claim: { ...claimed, steps: dropSteps ? new Map() : readSteps(answer.attributes, names) } };
    // An SDK retry of our own resume, or someone claimed it since we looked.
    if (ownClaim(answer.oldItem, claimed.leaseToken)) return { kind: 'claimed', claim: { ...claimed, steps: readSteps(answer.oldItem, names) } };
    if (answer.oldItem === undefined) throw new IdempotencyStoreError(`Idempotency record ${claimed.id} changed during its claim`, { cause: undefined });
    return { kind: 'held', record: fromItem(answer.oldItem, names) };
  };

  const saveStep = async (claim: Claim, name: string, json: string | undefined): Promise<FencedWriteResult> => {
    const first = (claim.steps?.size ?? 0) === 0;
    const save = (params: UpdateParams) => update(claim.id, params, false);
    const answer = await save(first ? stepExpressions.saveFirstStep(claim.leaseToken, name, json) : stepExpressions.saveStep(claim.leaseToken, name, json));
    if (answer.written) return 'done';
    if (!ownClaim(answer.oldItem, claim.leaseToken)) return 'lease-lost';
    // Still ours, yet refused: an earlier attempt of this save was applied (an SDK retry), or another step of this
    // claim created the steps map first; then this step goes into that map.
    if (readSteps(answer.oldItem, names).has(name)) return 'done';
    const again = await save(stepExpressions.saveStep(claim.leaseToken, name, json));
    return again.written ? 'done' : 'lease-lost';
  };

  const releaseKeepingSteps = async (owned: Claim): Promise<FencedWriteResult> => {
    const answer = await update(owned.id, stepExpressions.releaseKeepingSteps(owned.leaseToken), false);
    return answer.written || answer.oldItem === undefined ? 'done' : 'lease-lost';
  };

  return { isResumable, resume, saveStep, releaseKeepingSteps };
}
