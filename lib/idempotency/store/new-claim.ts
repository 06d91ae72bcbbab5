import { randomUUID } from 'node:crypto';
import type { Claim, ClaimRequest } from './store.js';

/**
 * The claim a store writes for `request`, under a fresh random lease token: only this claim knows the token, so a
 * write refused on a record that carries it was this claim's own, applied earlier.
 */
export function newClaim(request: ClaimRequest): Claim {
  return {
    id: request.id,
    leaseToken: randomUUID(),
    fingerprintHash: request.fingerprintHash,
    leaseExpiresAtEpochMs: request.leaseExpiresAtEpochMs,
    expiresAtEpochSeconds: request.expiresAtEpochSeconds,
  };
}
