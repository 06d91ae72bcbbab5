import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { RecordStatus } from '../record.js';
import type { ItemAttributeNames } from './dynamodb-item.js';

/** A condition or update expression with its placeholders. */
export interface Expression {
  readonly expression: string;
  readonly names: Record<string, string>;
  readonly values: Record<string, AttributeValue>;
}

/**
 * The claim condition. Timeline of one key:
 *   absent ──claim──▶ IN_PROGRESS ──complete──▶ COMPLETED ──retention ends──▶ expired (TTL deletes it, up to days later)
 *                          └─lease ends (invocation dead or timed out)──▶ claimable again
 * A claim may write when the key is absent, when the record's retention has passed although TTL has not removed it,
 * or when it is IN_PROGRESS and its lease has passed.
 */
export function claimCondition(names: ItemAttributeNames, nowMs: number): Expression {
  const keyIsAbsent = 'attribute_not_exists(#key)';
  const recordIsExpired = '#expiry <= :nowSeconds';
  const leaseIsExpired = '(#status = :inProgress AND #leaseExpiry <= :nowMs)';
  return {
    expression: `${keyIsAbsent} OR ${recordIsExpired} OR ${leaseIsExpired}`,
    names: { '#key': names.key, '#expiry': names.expiry, '#status': names.status, '#leaseExpiry': names.leaseExpiry },
    values: {
      ':nowSeconds': { N: String(Math.floor(nowMs / 1000)) },
      ':nowMs': { N: String(nowMs) },
      ':inProgress': { S: RecordStatus.InProgress },
    },
  };
}

/** Holds only while the record is still the IN_PROGRESS claim that carries `leaseToken`: the fence on every later write. */
export function ownsClaimCondition(names: ItemAttributeNames, leaseToken: string): Expression {
  return {
    expression: '#status = :inProgress AND #leaseToken = :leaseToken',
    names: { '#status': names.status, '#leaseToken': names.leaseToken },
    values: { ':inProgress': { S: RecordStatus.InProgress }, ':leaseToken': { S: leaseToken } },
  };
}

/**
 * The completion update: status COMPLETED, the retention end as TTL, the result attributes, and the lease removed.
 * `result` holds the attribute values from `resultAttributes`.
 */
export function completeUpdate(
  names: ItemAttributeNames,
  expiresAtEpochSeconds: number,
  result: Record<string, AttributeValue>,
): Expression {
  const set = ['#status = :completed', '#expiry = :expiry'];
  const expressionNames: Record<string, string> = { '#status': names.status, '#expiry': names.expiry };
  const values: Record<string, AttributeValue> = { ':completed': { S: RecordStatus.Completed }, ':expiry': { N: String(expiresAtEpochSeconds) } };
  Object.entries(result).forEach(([attribute, value], index) => {
    set.push(`#r${index} = :r${index}`);
    expressionNames[`#r${index}`] = attribute;
    values[`:r${index}`] = value;
  });
  expressionNames['#leaseExpiry'] = names.leaseExpiry;
  return { expression: `SET ${set.join(', ')} REMOVE #leaseExpiry`, names: expressionNames, values };
}

/** Joins a condition and an update into one request's placeholders; their names never clash by construction. */
export function mergeExpressions(update: Expression, condition: Expression) {
  return {
    UpdateExpression: update.expression,
    ConditionExpression: condition.expression,
    ExpressionAttributeNames: { ...update.names, ...condition.names },
    ExpressionAttributeValues: { ...update.values, ...condition.values },
  };
}
