import { randomUUID } from 'node:crypto';

/**
 * Prints where the local API listens, where its shop page is, and three curl lines that show a replay: a POST, the same POST again
 * (`Idempotent-Replayed: true`), and the same key with another body (422).
 */
export function printWelcome(options: { url: string; dynamoDBEndpoint: string; storage: string; paymentProviderUrl?: string }): void {
  const key = `demo-${randomUUID().slice(0, 8)}`;
  const post = (body: string) => `curl -i -X POST ${options.url}/orders -H 'Content-Type: application/json' -H 'Idempotency-Key: ${key}' -d '${body}'`;
  const storage = options.storage === 'memory' ? 'in memory' : options.storage === 'external' ? 'external' : `data in ${options.storage}`;
  console.log(
    [
      `Orders API on ${options.url} (DynamoDB at ${options.dynamoDBEndpoint}, ${storage}). Ctrl-C stops it.`,
      ...(options.paymentProviderUrl === undefined ? [] : [`POST /orders charges each order once at the payment provider ${options.paymentProviderUrl}.`]),
      '',
      `Shop page: open ${options.url}/ in a browser and click Buy twice.`,
      '',
      'Place an order, replay it, then reuse the key with another body (422):',
      `  ${post('{"productId":"p-1","quantity":2}')}`,
      `  ${post('{"productId":"p-1","quantity":2}')}`,
      `  ${post('{"productId":"p-1","quantity":3}')}`,
      '',
    ].join('\n'),
  );
}
