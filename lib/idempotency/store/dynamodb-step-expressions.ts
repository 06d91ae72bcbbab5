import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { RecordStatus } from '../record.js';
import { leaseIsExpired, recordIsExpired, type ConditionParams, type ItemExpressions, type UpdateParams } from './dynamodb-expressions.js';
import { stepValue, type Item, type ItemAttributeNames } from './dynamodb-item.js';

/** The expressions that keep a record's steps across claims and releases, and store each step under the fence. */
export interface StepExpressions {
  /**
   * Claims a record that holds steps, seen with the lease token `seenToken`: writes `claimItem`'s attributes and removes
   * the result, and the steps too when `dropSteps`. Holds only if the record still carries `seenToken` (nothing
   * claimed it since) and is claimable at `nowMs`.
   */
  resumeClaim(claimItem: Item, seenToken: string, nowMs: number, dropSteps: boolean): UpdateParams;
  /** Stores the first step of a record: the steps map with one entry, fenced, and only while the record has none. */
  saveFirstStep(leaseToken: string, name: string, json: string | undefined): UpdateParams;
  /** Stores one more step into the record's steps map, fenced. */
  saveStep(leaseToken: string, name: string, json: string | undefined): UpdateParams;
  /** Ends the lease of a claim whose record holds steps, so a retry can claim it at once and find them; fenced. */
  releaseKeepingSteps(leaseToken: string): UpdateParams;
}

// Attributes a resumed claim writes (the claim item's, but the key) and those it removes when the claim item lacks them.
const claimedAttributes = ['status', 'expiry', 'leaseExpiry', 'leaseToken', 'fingerprint'] as const;

/**
 * Builds the step expressions for a table whose attributes are `names`, over the fence of `expressions`.
 *
 * Why a claim of a record with steps is an update: the claim `PutItem` would replace the item and its steps with it, so
 * its condition refuses records with steps, and its `ALL_OLD` answer carries them. The claim then resumes with one
 * `UpdateItem` pinned to the lease token it saw, which keeps the steps (or drops them once the retention passed).
 */
export function createStepExpressions(names: ItemAttributeNames, expressions: ItemExpressions): StepExpressions {
  // The claim's own conditions on an existing record, pinned to the lease token the refused claim saw.
  const resumeCondition = `#leaseToken = :seenToken AND (${recordIsExpired} OR ${leaseIsExpired})`;
  const fenced = (fence: ConditionParams, update: string, updateNames: Record<string, string>, values: Record<string, AttributeValue>): UpdateParams => ({
    UpdateExpression: update,
    ConditionExpression: fence.ConditionExpression,
    ExpressionAttributeNames: { ...fence.ExpressionAttributeNames, ...updateNames },
    ExpressionAttributeValues: { ...fence.ExpressionAttributeValues, ...values },
  });

  return {
    resumeClaim: (claimItem, seenToken, nowMs, dropSteps) => {
      const attributeNames: Record<string, string> = { '#data': names.data, '#dataNotStored': names.dataNotStored };
      const values: Record<string, AttributeValue> = {
        ':seenToken': { S: seenToken },
        ':nowSeconds': { N: String(Math.floor(nowMs / 1000)) },
        ':nowMs': { N: String(nowMs) },
        ':inProgress': { S: RecordStatus.InProgress },
      };
      const set: string[] = [];
      const remove = ['#data', '#dataNotStored'];
      for (const attribute of claimedAttributes) {
        attributeNames[`#${attribute}`] = names[attribute];
        const value = claimItem[names[attribute]];
        if (value === undefined) remove.push(`#${attribute}`);
        else {
          set.push(`#${attribute} = :${attribute}`);
          values[`:${attribute}`] = value;
        }
      }
      if (dropSteps) {
        attributeNames['#steps'] = names.steps;
        remove.push('#steps');
      }
      return {
        UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
        ConditionExpression: resumeCondition,
        ExpressionAttributeNames: attributeNames,
        ExpressionAttributeValues: values,
      };
    },
    saveFirstStep: (leaseToken, name, json) => {
      const fence = expressions.ownsClaim(leaseToken);
      const onlyStep = { ...fence, ConditionExpression: `${fence.ConditionExpression} AND attribute_not_exists(#steps)` };
      return fenced(onlyStep, 'SET #steps = :steps', { '#steps': names.steps }, { ':steps': { M: { [name]: stepValue(json) } } });
    },
    saveStep: (leaseToken, name, json) =>
      fenced(expressions.ownsClaim(leaseToken), 'SET #steps.#stepName = :step', { '#steps': names.steps, '#stepName': name }, { ':step': stepValue(json) }),
    releaseKeepingSteps: (leaseToken) =>
      fenced(expressions.ownsClaim(leaseToken), 'SET #leaseExpiry = :leaseEnded', { '#leaseExpiry': names.leaseExpiry }, { ':leaseEnded': { N: '0' } }),
  };
}
