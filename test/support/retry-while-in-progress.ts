import { IdempotencyInProgressError } from '../../lib/idempotency/index.js';

/** The crash tests' bound: more in-progress answers than this, each waited out, means a lease longer than the dead worker's, a bug. */
export const maxLeasesWaited = 3;

/**
 * Runs `attempt` until it answers, as a client retries a key that is in progress: on
 * {@link IdempotencyInProgressError} it waits the answer's Retry-After (the end of the lease that holds the key) and
 * tries again. It is bounded by a number of leases waited, not of attempts or seconds, so a slow machine cannot
 * exhaust it; the in-progress answer after `leasesWaited` waits is thrown.
 * @throws the first error that is not an IdempotencyInProgressError, or the in-progress error past `leasesWaited`.
 */
export async function retryWhileInProgress<Answer>(attempt: () => Promise<Answer>, leasesWaited = maxLeasesWaited): Promise<Answer> {
  for (let leases = 0; ; leases++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof IdempotencyInProgressError) || leases === leasesWaited) throw error;
      await new Promise((resolve) => setTimeout(resolve, error.retryAfterSeconds * 1000));
    }
  }
}
