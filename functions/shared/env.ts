/** Thrown at cold start when a function's configuration is missing, so a broken deployment fails on its first call. */
export class MissingEnvironmentVariableError extends Error {
  override readonly name = 'MissingEnvironmentVariableError' as const;
}

/**
 * The value of the environment variable `name`.
 * @throws {MissingEnvironmentVariableError} when it is unset or empty.
 * @example
 * ```ts
 * const tableName = requireEnv('ORDERS_TABLE_NAME');
 * ```
 */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new MissingEnvironmentVariableError(`The environment variable ${name} must be set`);
  return value;
}
