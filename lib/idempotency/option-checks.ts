/** Small assertions shared by the option and event validators; each throws a TypeError that names the option or field. */

const describe = (value: unknown): string => (typeof value === 'string' ? `'${value}'` : String(value));

/** @throws {TypeError} unless `value` is a non-empty string. */
export function requireNonEmptyString(option: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`Expected \`${option}\` to be a non-empty string, got ${describe(value)}.`);
}

/** @throws {TypeError} unless `value` is a whole number above zero. */
export function requirePositiveInteger(option: string, value: unknown): void {
  if (!Number.isInteger(value) || (value as number) <= 0) throw new TypeError(`Expected \`${option}\` to be a positive integer, got ${describe(value)}.`);
}

/** @throws {TypeError} unless `value` is a finite number above zero. */
export function requirePositiveNumber(option: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw new TypeError(`Expected \`${option}\` to be a positive number, got ${describe(value)}.`);
}

/** @throws {TypeError} unless `value` is a whole number of zero or more. */
export function requireNonNegativeInteger(option: string, value: unknown): void {
  if (!Number.isInteger(value) || (value as number) < 0) throw new TypeError(`Expected \`${option}\` to be a non-negative integer, got ${describe(value)}.`);
}

/** @throws {TypeError} unless `value` is `true` or `false`. */
export function requireBoolean(option: string, value: unknown): void {
  if (typeof value !== 'boolean') throw new TypeError(`Expected \`${option}\` to be true or false, got ${describe(value)}.`);
}

/** @throws {TypeError} unless `value` is a function, or undefined when `optional`. */
export function requireFunction(option: string, value: unknown, optional = true): void {
  if (value === undefined && optional) return;
  if (typeof value !== 'function') throw new TypeError(`Expected \`${option}\` to be a function, got ${describe(value)}.`);
}

/** A copy of `options` without its `undefined` fields: an option passed as `undefined` means "use the default". */
export function stripUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}

/** Describes a value for a TypeError about an event: an object by its keys (never its contents), anything else as text. */
export const describeEventValue = (value: unknown): string =>
  typeof value === 'object' && value !== null ? `an object with keys ${Object.keys(value).join(', ') || '(none)'}` : String(value);
