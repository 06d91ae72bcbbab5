/**
 * One composite value being written: its children are visited one at a time from an explicit stack, so that no
 * nesting depth can overflow the call stack, and written straight into one buffer, so that deep nesting stays linear.
 */
interface Frame {
  readonly value: object;
  readonly prefix: string;
  readonly open: string;
  readonly close: string;
  /** An object's keys (strings sorted, then symbols); undefined for arrays and item lists. */
  readonly keys?: ReadonlyArray<string | symbol>;
  /** Map entries, Set members or a `toJSON()` result; undefined for arrays and objects. */
  readonly items?: readonly unknown[];
  readonly length: number;
  /** Map entries and Set members have no order: each one's encoding is collected, then they are sorted. */
  readonly unordered: boolean;
  /** Where the frame writes: its parent's buffer, or its own when unordered. */
  readonly buffer: string[];
  /** Unordered frames: where each child's tokens start in `buffer`. */
  readonly starts: number[];
  readonly into: string[];
  next: number;
}

type Expansion = Pick<Frame, 'open' | 'close' | 'keys' | 'items' | 'length' | 'unordered'>;

// An array hole is not `undefined`: `[, 1]` and `[undefined, 1]` are told apart.
const hole = Symbol('hole');
const quote = (text: string) => JSON.stringify(text);
// Plain `<` on strings compares UTF-16 code units: a total order, unlike a case-folding comparator.
const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const tagOf = (value: object) => Object.prototype.toString.call(value).slice(8, -1);
const classNameOf = (value: object) => String((Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name ?? '');

function encodeNumber(value: number): string {
  if (Number.isNaN(value)) return '!NaN';
  if (!Number.isFinite(value)) return value > 0 ? '!Infinity' : '!-Infinity';
  return Object.is(value, -0) ? '!d"-0"' : String(value);
}

// Values written in one piece; `undefined` for the composites, which get a frame.
function encodeLeaf(value: unknown): string | undefined {
  if (value === hole) return '!hole';
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      return encodeNumber(value);
    case 'boolean':
      return String(value);
    case 'undefined':
      return 'undefined';
    case 'bigint':
      return `!bigint"${value}"`;
    case 'symbol':
      return `!symbol${quote(Symbol.keyFor(value) ?? value.description ?? '')}`;
    case 'function':
      return `!function${quote(value.name)}`;
  }
  if (value === null) return 'null';
  const object = value as object;
  if (object instanceof Date) return `!date"${object.getTime()}"`;
  if (object instanceof RegExp) return `!RegExp${quote(String(object))}`;
  if (ArrayBuffer.isView(object)) return `!${tagOf(object)}"${Buffer.from(object.buffer, object.byteOffset, object.byteLength).toString('base64')}"`;
  if (object instanceof ArrayBuffer || object instanceof SharedArrayBuffer)
    return `!${tagOf(object)}"${Buffer.from(object as ArrayBuffer).toString('base64')}"`;
  if (object instanceof Number || object instanceof String || object instanceof Boolean) return `!${tagOf(object)}(${encodeLeaf(object.valueOf())})`;
  return undefined;
}

function keysOf(object: object, names: string[]): Array<string | symbol> {
  const symbols = Object.getOwnPropertySymbols(object);
  if (symbols.length === 0) return names.sort(byCodeUnits);
  const enumerable = symbols.filter((symbol) => Object.prototype.propertyIsEnumerable.call(object, symbol));
  return [...names.sort(byCodeUnits), ...enumerable.sort((a, b) => byCodeUnits(encodeLeaf(a) ?? '', encodeLeaf(b) ?? ''))];
}

const ordered = (open: string, close: string, keys: Array<string | symbol>): Expansion => ({ open, close, keys, length: keys.length, unordered: false });
const listed = (open: string, close: string, items: unknown[], unordered: boolean): Expansion => ({ open, close, items, length: items.length, unordered });

function expand(object: object): Expansion {
  if (Array.isArray(object)) return { open: '[', close: ']', length: object.length, unordered: false };
  if (object instanceof Map) return listed('!map[', ']', [...object], true);
  if (object instanceof Set) return listed('!set[', ']', [...object], true);
  const prototype: unknown = Object.getPrototypeOf(object);
  if (prototype === Object.prototype || prototype === null) return ordered('{', '}', keysOf(object, Object.keys(object)));
  // A class instance: its own serialised form when it has one (URL, Decimal, Luxon), else every own property.
  const toJSON = (object as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return listed(`!json${quote(classNameOf(object))}(`, ')', [toJSON.call(object)], false);
  return ordered(`!object${quote(classNameOf(object))}{`, '}', keysOf(object, Object.getOwnPropertyNames(object)));
}

/** The prefix and value of the frame's next child. */
function nextChild(frame: Frame): [string, unknown] {
  const index = frame.next;
  const separator = index > 0 && !frame.unordered ? ',' : '';
  if (frame.items !== undefined) return [separator, frame.items[index]];
  if (frame.keys === undefined) return [separator, index in frame.value ? (frame.value as unknown[])[index] : hole];
  const key = frame.keys[index];
  return [`${separator}${typeof key === 'string' ? quote(key) : encodeLeaf(key)}:`, (frame.value as Record<string | symbol, unknown>)[key]];
}

/**
 * Serialises any value so that two values share a serialisation only when they are the same payload: object keys in
 * code-unit order at every depth (key order and whitespace never matter), Map entries and Set members in any order.
 *
 * Plain JSON values serialise as JSON. Everything JSON would lose or merge is written as its own token, outside
 * JSON's grammar: `-0`, `NaN`, `±Infinity`, BigInts, `undefined` members and array holes, Dates, typed arrays and
 * buffers (their bytes), Maps, Sets, boxed primitives, symbols (keys too), functions, class instances (by class name,
 * then their `toJSON()` or own properties) and cycles (a back-reference). No depth overflows it: it keeps its own
 * stack. Only a getter or `toJSON` of the value itself can make it throw.
 */
export function canonicalJson(value: unknown): string {
  const root: string[] = [];
  const stack: Frame[] = [];
  // Objects on the current path, with their stack index: a value met again inside itself is a cycle.
  const onPath = new Map<object, number>();
  const visit = (prefix: string, child: unknown, into: string[]) => {
    const leaf = encodeLeaf(child);
    if (leaf !== undefined) return void into.push(prefix + leaf);
    const object = child as object;
    const ancestor = onPath.get(object);
    if (ancestor !== undefined) return void into.push(`${prefix}!cycle${stack.length - ancestor}`);
    onPath.set(object, stack.length);
    const expansion = expand(object);
    if (!expansion.unordered) into.push(prefix + expansion.open);
    const { open, close, keys, items, length, unordered } = expansion;
    stack.push({ value: object, prefix, open, close, keys, items, length, unordered, into, buffer: unordered ? [] : into, starts: [], next: 0 });
  };
  visit('', value, root);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    if (frame.next < frame.length) {
      if (frame.unordered) frame.starts.push(frame.buffer.length);
      const [prefix, child] = nextChild(frame);
      frame.next += 1;
      visit(prefix, child, frame.buffer);
      continue;
    }
    stack.pop();
    onPath.delete(frame.value);
    if (!frame.unordered) {
      frame.into.push(frame.close);
      continue;
    }
    const members = frame.starts.map((start, index) => frame.buffer.slice(start, frame.starts[index + 1]).join('')).sort(byCodeUnits);
    frame.into.push(frame.prefix + frame.open + members.join(',') + frame.close);
  }
  return root.join('');
}
