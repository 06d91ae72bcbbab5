import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { PaymentCharge } from '../../functions/shared/payments.js';

/** A charge the provider made: what the orders functions' `chargePayment` gets back. */
export type Charge = PaymentCharge;

/** A running local payment provider. */
export interface PaymentProvider {
  /** `http://<host>:<port>`; charges are `POST <url>/charges`. */
  readonly url: string;
  /** How many charges the provider made for `order`: the number a payment team counts. */
  chargesFor(order: string): number;
  /** How many `POST /charges` requests arrived, replays and refusals included. */
  requests(): number;
  close(): Promise<void>;
}

/** Options of {@link startPaymentProvider}. */
export interface PaymentProviderOptions {
  /** The port to listen on; 0 picks a free one. @default 0 */
  port?: number;
  /** The interface to listen on. @default '127.0.0.1' */
  host?: string;
}

/**
 * Starts a payment provider on loopback that behaves as real ones do with idempotency keys: `POST /charges` with an
 * `Idempotency-Key` header and a JSON body `{ order, amountCents }` makes a charge the first time it sees the key
 * (201) and answers every later request with that key with the same charge (200, `Idempotent-Replayed: true`), or 422
 * when the body differs. A request without a key is refused (400): this provider never charges twice for one key, so a
 * second charge for one order means a caller sent a second key.
 * @example
 * ```ts
 * const provider = await startPaymentProvider();
 * await fetch(`${provider.url}/charges`, { method: 'POST', headers: { 'Idempotency-Key': 'k1' }, body: '{"order":"o1","amountCents":100}' });
 * provider.chargesFor('o1'); // 1
 * ```
 */
export async function startPaymentProvider(options: PaymentProviderOptions = {}): Promise<PaymentProvider> {
  const byKey = new Map<string, { body: string; charge: Charge }>();
  const perOrder = new Map<string, number>();
  let requests = 0;

  const answer = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };
  const charge = (key: string, body: string): { status: number; body: unknown; replayed: boolean } => {
    const seen = byKey.get(key);
    if (seen !== undefined) {
      return seen.body === body
        ? { status: 200, body: seen.charge, replayed: true }
        : { status: 422, body: { message: 'Key reused with another body' }, replayed: false };
    }
    const parsed = parseChargeRequest(body);
    if (parsed === undefined) return { status: 400, body: { message: 'Expected {"order": string, "amountCents": positive integer}' }, replayed: false };
    const made: Charge = { chargeId: `ch_${randomUUID()}`, ...parsed };
    byKey.set(key, { body, charge: made });
    perOrder.set(made.order, (perOrder.get(made.order) ?? 0) + 1);
    return { status: 201, body: made, replayed: false };
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/charges') return answer(response, 404, { message: 'Not found' });
      requests += 1;
      const key = request.headers['idempotency-key'];
      if (typeof key !== 'string' || key === '') return answer(response, 400, { message: 'Idempotency-Key header required' });
      const made = charge(key, Buffer.concat(chunks).toString('utf8'));
      answer(response, made.status, made.body, made.replayed ? { 'idempotent-replayed': 'true' } : {});
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    chargesFor: (order) => perOrder.get(order) ?? 0,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function parseChargeRequest(body: string): { order: string; amountCents: number } | undefined {
  try {
    const parsed = JSON.parse(body) as { order?: unknown; amountCents?: unknown };
    if (typeof parsed.order !== 'string' || parsed.order === '') return undefined;
    if (typeof parsed.amountCents !== 'number' || !Number.isSafeInteger(parsed.amountCents) || parsed.amountCents <= 0) return undefined;
    return { order: parsed.order, amountCents: parsed.amountCents };
  } catch {
    return undefined;
  }
}
