/** The namespace of a wrapped function: the one given, or one inferred from the function's name and checked to be its own. */

// Names that many unrelated functions share: a default export, an inline arrow, an anonymous function expression.
const sharedNames = new Set(['', 'default', 'anonymous']);
// Inferred namespace → the source of the function that took it in this process.
const inferredOwners = new Map<string, string>();

/**
 * The namespace `makeIdempotent` stores `fn`'s records under: `namespace` when given, else `fn.name`.
 *
 * An inferred name must tell this operation apart from every other: an anonymous function, or a second function
 * with another body under a name already taken in this process, would share its records with another operation,
 * and one would replay the other's results. Wrapping the same function again (same source) is fine.
 * @throws {TypeError} naming `namespace` when none is given and `fn`'s name cannot serve as one.
 */
export function resolveWrappedNamespace(fn: (...args: never[]) => unknown, namespace: string | undefined): string {
  if (namespace !== undefined) return namespace;
  const name = fn.name;
  // A bound function's source is hidden, so two methods of one name cannot be told apart.
  if (sharedNames.has(name) || name.startsWith('bound ')) {
    throw new TypeError(
      `Expected \`namespace\` to be set: the wrapped function has no name of its own (${JSON.stringify(name)}), so its records could meet another operation's.`,
    );
  }
  const source = Function.prototype.toString.call(fn);
  const owner = inferredOwners.get(name);
  if (owner !== undefined && owner !== source) {
    throw new TypeError(`Expected \`namespace\` to be set: another wrapped function is also named '${name}', and the two would share records.`);
  }
  inferredOwners.set(name, source);
  return name;
}
