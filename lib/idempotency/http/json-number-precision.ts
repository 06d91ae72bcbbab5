// A JSON string (skipped whole, so digits inside it are not numbers) or a JSON number.
const stringOrNumber = /"[^"\\]*(?:\\.[^"\\]*)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
const numberParts = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** The exact value of a decimal literal as `digits e exponent`, without leading or trailing zeros: `1.50e2` → `15e1`. */
function exactDecimal(literal: string): string {
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = numberParts.exec(literal) ?? [];
  const digits = `${whole}${fraction}`.replace(/^0+/, '');
  if (digits === '') return `${sign}0`;
  const significant = digits.replace(/0+$/, '');
  // BigInt: an exponent of 400 digits must not round into another one.
  const scale = BigInt(exponent) - BigInt(fraction.length) + BigInt(digits.length - significant.length);
  return `${sign}${significant}e${scale}`;
}

/** True when `JSON.parse` keeps the exact value of this number literal (`-0` included). */
function parsesExactly(literal: string): boolean {
  const parsed = Number(literal);
  if (!Number.isFinite(parsed)) return false;
  return exactDecimal(literal) === exactDecimal(Object.is(parsed, -0) ? '-0' : String(parsed));
}

/**
 * True when some number in the JSON text `text` (valid JSON) has a value that `JSON.parse` rounds, e.g.
 * `12345678901234567891` (above 2^53), `0.1000000000000000055511151231257827` or `1e400`: two such bodies could
 * parse to the same value, so they must be compared as text.
 */
export function hasRoundedNumber(text: string): boolean {
  for (const [token] of text.matchAll(stringOrNumber)) {
    if (!token.startsWith('"') && !parsesExactly(token)) return true;
  }
  return false;
}
