/** The part of JSON Schema draft 4 the orders API's request models use; anything else is refused at load. */
export interface ModelSchema {
  readonly type: 'object' | 'string' | 'integer';
  readonly required?: readonly string[];
  readonly properties?: Readonly<Record<string, ModelSchema>>;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
}

const knownKeywords = new Set(['type', 'required', 'properties', 'minLength', 'maxLength', 'minimum', 'maximum']);

/**
 * Checks `body` against `schema` as API Gateway's request validator does for a model: the body must be JSON and match.
 * @throws {TypeError} when `schema` uses a keyword this checker does not implement, so a model can never be half-checked.
 */
export function createModelCheck(schema: ModelSchema): (body: string | null) => boolean {
  assertKnownKeywords(schema, '');
  return (body) => {
    let value: unknown;
    try {
      value = JSON.parse(body ?? '');
    } catch {
      return false;
    }
    return matches(schema, value);
  };
}

function assertKnownKeywords(schema: ModelSchema, at: string): void {
  const unknown = Object.keys(schema).filter((keyword) => !knownKeywords.has(keyword));
  if (unknown.length > 0) throw new TypeError(`Expected a request model of known keywords, got ${unknown.join(', ')} at '${at || '/'}'.`);
  for (const [name, property] of Object.entries(schema.properties ?? {})) assertKnownKeywords(property, `${at}/${name}`);
}

function matches(schema: ModelSchema, value: unknown): boolean {
  switch (schema.type) {
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
      const record = value as Record<string, unknown>;
      if (!(schema.required ?? []).every((name) => Object.hasOwn(record, name))) return false;
      return Object.entries(schema.properties ?? {}).every(([name, property]) => !Object.hasOwn(record, name) || matches(property, record[name]));
    }
    case 'string': {
      if (typeof value !== 'string') return false;
      // JSON Schema counts characters (code points), not UTF-16 units.
      const length = [...value].length;
      return length >= (schema.minLength ?? 0) && length <= (schema.maxLength ?? Number.POSITIVE_INFINITY);
    }
    case 'integer':
      return (
        Number.isInteger(value) &&
        (value as number) >= (schema.minimum ?? Number.NEGATIVE_INFINITY) &&
        (value as number) <= (schema.maximum ?? Number.POSITIVE_INFINITY)
      );
  }
}
