import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { RecordStatus, type IdempotencyRecord } from '../record.js';
import type { ItemAttributeNames } from './dynamodb-item.js';

/** A condition and its placeholders, in the shape a DynamoDB request takes. */
export interface ConditionParams {
  readonly ConditionExpression: string;
  readonly ExpressionAttributeNames: Record<string, string>;
  readonly ExpressionAttributeValues: Record<string, AttributeValue>;
}

/** A fenced update with its placeholders, in the shape an `UpdateItem` (or a transaction's `Update`) takes. */
export interface UpdateParams extends ConditionParams {
  readonly UpdateExpression: string;
}

/** The expressions of one table layout. Only the values change per call; strings and names are built once. */
export interface ItemExpressions {
  /** The claim condition at `nowMs`. */
  claim(nowMs: number): ConditionParams;
  /** Holds only while the record is the IN_PROGRESS claim that carries `leaseToken`: the fence on every later write. */
  ownsClaim(leaseToken: string): ConditionParams;
  /** The fence of a release that deletes the record: it must not delete steps a retry would resume after. */
  ownsClaimWithoutSteps(leaseToken: string): ConditionParams;
  /**
   * Holds only while the record still has the status and lease token it was read with (a completed record keeps its
   * claim's token): an operator's delete then never removes a record that was claimed or completed since it was read.
   */
  unchangedSince(record: Pick<IdempotencyRecord, 'status' | 'leaseToken'>): ConditionParams;
  /** Marks the claim COMPLETED with the retention end as TTL and at most one result attribute, removing the lease and the steps; fenced. */
  complete(leaseToken: string, expiresAtEpochSeconds: number, result: Record<string, AttributeValue>): UpdateParams;
}

const inProgress: AttributeValue = { S: RecordStatus.InProgress };
const completed: AttributeValue = { S: RecordStatus.Completed };

/** Holds when a record's retention has passed, although TTL has not removed it yet: a claim may take it. */
export const recordIsExpired = '#expiry <= :nowSeconds';
/** Holds when a record is IN_PROGRESS and its lease has passed (its invocation died or timed out): a claim may take it. */
export const leaseIsExpired = '(#status = :inProgress AND #leaseExpiry <= :nowMs)';

/**
 * Builds the expressions for a table whose attributes are `names`. Timeline of one key:
 *   absent ──claim──▶ IN_PROGRESS ──complete──▶ COMPLETED ──retention ends──▶ expired (TTL deletes it, up to days later)
 *                          └─lease ends (invocation dead or timed out)──▶ claimable again
 * A claim may write when the key is absent, when the record's retention has passed although TTL has not removed it,
 * or when it is IN_PROGRESS and its lease has passed. A record that holds steps is claimed by an update instead.
 */
export function createItemExpressions(names: ItemAttributeNames): ItemExpressions {
  const keyIsAbsent = 'attribute_not_exists(#key)';
  // A record with steps is never replaced: its claim keeps or drops them with an update (see dynamodb-step-expressions.ts).
  const claimExpression = `(${keyIsAbsent} OR ${recordIsExpired} OR ${leaseIsExpired}) AND attribute_not_exists(#steps)`;
  const claimNames = { '#key': names.key, '#expiry': names.expiry, '#status': names.status, '#leaseExpiry': names.leaseExpiry, '#steps': names.steps };
  const fence = '#status = :inProgress AND #leaseToken = :leaseToken';
  const fenceNames = { '#status': names.status, '#leaseToken': names.leaseToken };
  const completeNames = { ...fenceNames, '#expiry': names.expiry, '#leaseExpiry': names.leaseExpiry, '#steps': names.steps };
  // Steps only serve retries of a claim; a completed record replays its result, so they go.
  const completeExpression = (withResult: boolean) =>
    `SET #status = :completed, #expiry = :expiry${withResult ? ', #result = :result' : ''} REMOVE #leaseExpiry, #steps`;
  const [withResult, withoutResult] = [completeExpression(true), completeExpression(false)];

  return {
    claim: (nowMs) => ({
      ConditionExpression: claimExpression,
      ExpressionAttributeNames: claimNames,
      ExpressionAttributeValues: { ':nowSeconds': { N: String(Math.floor(nowMs / 1000)) }, ':nowMs': { N: String(nowMs) }, ':inProgress': inProgress },
    }),
    ownsClaim: (leaseToken) => ({
      ConditionExpression: fence,
      ExpressionAttributeNames: fenceNames,
      ExpressionAttributeValues: { ':inProgress': inProgress, ':leaseToken': { S: leaseToken } },
    }),
    ownsClaimWithoutSteps: (leaseToken) => ({
      ConditionExpression: `${fence} AND attribute_not_exists(#steps)`,
      ExpressionAttributeNames: { ...fenceNames, '#steps': names.steps },
      ExpressionAttributeValues: { ':inProgress': inProgress, ':leaseToken': { S: leaseToken } },
    }),
    unchangedSince: ({ status, leaseToken }) => ({
      // A record without a token was not written by a claim of this library; it stays unchanged while it still has none.
      ConditionExpression: `#status = :status AND ${leaseToken === undefined ? 'attribute_not_exists(#leaseToken)' : '#leaseToken = :leaseToken'}`,
      ExpressionAttributeNames: fenceNames,
      ExpressionAttributeValues: { ':status': { S: status }, ...(leaseToken === undefined ? {} : { ':leaseToken': { S: leaseToken } }) },
    }),
    complete: (leaseToken, expiresAtEpochSeconds, result) => {
      const values: Record<string, AttributeValue> = {
        ':completed': completed,
        ':expiry': { N: String(expiresAtEpochSeconds) },
        ':inProgress': inProgress,
        ':leaseToken': { S: leaseToken },
      };
      // At most one result attribute (`data` or `data_not_stored`); none for an undefined result.
      const [resultAttribute] = Object.entries(result);
      if (resultAttribute === undefined) {
        return { UpdateExpression: withoutResult, ConditionExpression: fence, ExpressionAttributeNames: completeNames, ExpressionAttributeValues: values };
      }
      values[':result'] = resultAttribute[1];
      return {
        UpdateExpression: withResult,
        ConditionExpression: fence,
        ExpressionAttributeNames: { ...completeNames, '#result': resultAttribute[0] },
        ExpressionAttributeValues: values,
      };
    },
  };
}
