import { randomUUID } from 'node:crypto';
import type { ClaimAhead, ClaimRequests, ClaimsAhead } from '../claim-ahead.js';
import type { IdempotencyLogger } from '../options.js';
import { batchOperationsOf } from '../store/dynamodb-batch-operations.js';
import type { Claim, IdempotencyStore, TokenedClaimRequest } from '../store/store.js';

const nothingClaimed: ClaimsAhead = new Map();

/**
 * Builds a batch handler's claim ahead: the keys of a batch's `inputs` (with their `requests`) that are `eligible` (expected to be new, such as
 * first deliveries of SQS messages) claimed in one `claimMany` (one `BatchExecuteStatement` per 25 on DynamoDB);
 * `begin` then runs each under its claim without a call of its own. A key is claimed ahead only for its first input in
 * batch order, which runs first, and only when that input is eligible: a later input of the key meets the claim as a
 * duplicate would, and an earlier one never finds its key held by a record behind it. An input whose claim was not confirmed claims on its own under the same lease token, which
 * recognises a write that landed. Never throws: with a store without `claimMany` or a failed call, nothing is
 * confirmed, so every input claims its key as it would have. Lives in the batch layer, so only batch handlers bundle it.
 */
export function createClaimAhead<TInput>(
  store: IdempotencyStore,
  log: IdempotencyLogger,
): (inputs: readonly TInput[], requests: ClaimRequests, eligible: (input: TInput) => boolean) => Promise<ClaimsAhead> {
  const { claimMany } = batchOperationsOf(store);
  return async (inputs, claimRequests, eligible) => {
    if (claimMany === undefined) return nothingClaimed;
    const requests = new Map<TInput, TokenedClaimRequest>();
    const ids = new Set<string>();
    for (const input of inputs) {
      const request = claimRequests.get(input);
      if (request === undefined || ids.has(request.id)) continue;
      ids.add(request.id);
      if (eligible(input)) requests.set(input, { ...request, leaseToken: randomUUID() });
    }
    if (requests.size === 0) return nothingClaimed;
    let claims: ReadonlyMap<string, Claim> = new Map();
    try {
      claims = await claimMany([...requests.values()]);
    } catch (error) {
      log('Claiming records ahead of their runs failed; each record claims its key instead', { error });
    }
    const ahead = new Map<unknown, ClaimAhead>();
    for (const [input, request] of requests) ahead.set(input, { leaseToken: request.leaseToken, claim: claims.get(request.id) });
    return ahead;
  };
}
