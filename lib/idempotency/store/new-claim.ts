import { randomUUID } from 'node:crypto';
import type { Claim, ClaimRequest } from './store.js';

/**
 * The claim a store writes for `request`, under the request's lease token or a fresh random one: only this claim (and
 * an earlier attempt at it) knows the token, so a write refused on a record that carries it was its own, applied earlier.
 */
export function newClaim(request: ClaimRequest): Claim {
  return {
    id: request.id,
    leaseToken: request.leaseToken ?? randomUUID(),
    fingerprintHash: request.fingerprintHash,
    leaseExpiresAtEpochMs: request.leaseExpiresAtEpochMs,
    expiresAtEpochSeconds: request.expiresAtEpochSeconds,
  };
}
