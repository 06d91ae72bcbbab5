import fc from 'fast-check';

/** Idempotency-Key values a hostile or broken client sends: empty, 10 KB, unicode, control characters, quoted, injections. */
export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ maxLength: 60 }).map((key) => `"${key}"`),
  fc.uuid(),
  fc.constantFrom(
    '',
    ' ',
    '"',
    '""',
    'k'.repeat(10_240),
    '"unterminated',
    '"escaped \\" quote"',
    '"bad \\x escape"',
    'a\r\nX-Injected: yes',
    'a\nSet-Cookie: session=stolen',
    'nul\u0000byte',
    'del\u007f',
    'bidi\u202eevil',
    '😀'.repeat(200),
    'a, b',
    '"a", "b"',
    '../../etc/passwd',
    '${jndi:ldap://x}',
  ),
);

/** The header name in any case: `Idempotency-Key`, `IDEMPOTENCY-KEY`, `idEmPoTeNcY-kEy`, … */
export const anyCaseKeyHeader: fc.Arbitrary<string> = fc
  .array(fc.boolean(), { minLength: 15, maxLength: 15 })
  .map((upper) => [...'idempotency-key'].map((char, index) => (upper[index] ? char.toUpperCase() : char)).join(''));

/** A request body and whether it travels base64-encoded. */
export interface HostileBody {
  readonly body: string | null | undefined;
  readonly isBase64Encoded: boolean;
}

const fiveMegabytes = 'x'.repeat(5 * 1024 * 1024);
const validOrder = fc.record({ productId: fc.string({ minLength: 1, maxLength: 64 }), quantity: fc.integer({ min: 1, max: 1000 }) });

/** Bodies: valid orders (plain and base64), invalid JSON, deep nesting, 5 MB, binary, absent. */
export const hostileBody: fc.Arbitrary<HostileBody> = fc.oneof(
  validOrder.map((order) => ({ body: JSON.stringify(order), isBase64Encoded: false })),
  validOrder.map((order) => ({ body: Buffer.from(JSON.stringify(order)).toString('base64'), isBase64Encoded: true })),
  fc.string({ maxLength: 200 }).map((body) => ({ body, isBase64Encoded: false })),
  fc
    .constantFrom('{', '{"productId":', 'null', '[]', '"text"', '{"__proto__":{"polluted":true}}', '{"productId":"p","quantity":1e400}')
    .map((body) => ({ body, isBase64Encoded: false })),
  fc.constantFrom(1_000, 10_000, 100_000).map((depth) => ({ body: '['.repeat(depth) + ']'.repeat(depth), isBase64Encoded: false })),
  fc.constantFrom(5_000, 50_000).map((depth) => ({ body: '{"a":'.repeat(depth) + '1' + '}'.repeat(depth), isBase64Encoded: false })),
  fc.constant({ body: fiveMegabytes, isBase64Encoded: false }),
  fc.uint8Array({ maxLength: 512 }).map((bytes) => ({ body: Buffer.from(bytes).toString('base64'), isBase64Encoded: true })),
  fc.string({ maxLength: 40 }).map((body) => ({ body, isBase64Encoded: true })),
  fc.constantFrom<HostileBody>({ body: null, isBase64Encoded: false }, { body: undefined, isBase64Encoded: false }, { body: '', isBase64Encoded: false }),
);
