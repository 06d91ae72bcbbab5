/** What every soak client adds to as it goes. */
export interface SoakTally {
  /** HTTP attempts, retries included. */
  attempts: number;
  /** Attempts by status code. */
  readonly statuses: Map<number, number>;
  /** Milliseconds per HTTP attempt. */
  readonly attemptMs: number[];
  /** Milliseconds per client request, from the first attempt to the answer, retries and waits included. */
  readonly requestMs: number[];
  /** The order ids the clients of each key were answered with. */
  readonly answers: Map<string, Set<string>>;
  /** Client requests that ended without a 2xx answer. */
  unanswered: number;
}

/** An empty tally. */
export function createSoakTally(): SoakTally {
  return { attempts: 0, statuses: new Map(), attemptMs: [], requestMs: [], answers: new Map(), unanswered: 0 };
}

/** How one client behaves. */
export interface SoakClientOptions {
  /** The local API's base URL. */
  readonly url: string;
  /** The longest wait between two attempts, whatever `Retry-After` asks, in milliseconds. */
  readonly maxRetryDelayMs: number;
  /** The most attempts one client request makes. */
  readonly maxAttempts: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One client placing the order for `key` with `POST /orders`: retries on 409 (in progress) and 503, waiting what
 * `Retry-After` asks but at most `maxRetryDelayMs`, and records every attempt and the order id it was answered with.
 */
export async function placeOrderAsClient(key: string, options: SoakClientOptions, tally: SoakTally): Promise<void> {
  const body = JSON.stringify({ productId: 'soak', quantity: 1, customerId: key });
  const startedMs = performance.now();
  for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
    const attemptStartedMs = performance.now();
    const response = await fetch(`${options.url}/orders`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key }, body });
    const text = await response.text();
    tally.attempts += 1;
    tally.attemptMs.push(performance.now() - attemptStartedMs);
    tally.statuses.set(response.status, (tally.statuses.get(response.status) ?? 0) + 1);
    if (response.ok) {
      const orderId = String((JSON.parse(text) as { orderId?: unknown }).orderId);
      tally.answers.set(key, (tally.answers.get(key) ?? new Set()).add(orderId));
      tally.requestMs.push(performance.now() - startedMs);
      return;
    }
    if (response.status !== 409 && response.status !== 503) break;
    const retryAfterMs = Number(response.headers.get('retry-after') ?? '1') * 1000;
    // Jittered, so the clients of one key do not come back in lockstep.
    await sleep(Math.min(retryAfterMs, options.maxRetryDelayMs) * (0.5 + Math.random() / 2));
  }
  tally.unanswered += 1;
}
