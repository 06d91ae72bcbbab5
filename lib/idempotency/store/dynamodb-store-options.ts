import { requireNonEmptyString, requirePositiveInteger } from '../option-checks.js';
import { fixedAttributeNames, itemAttributeNames } from './dynamodb-item.js';
import { largestStoredResultBytes, maxKeyAttributeNameBytes, utf8Bytes } from './dynamodb-item-size.js';
import type { DynamoDBStoreOptions } from './dynamodb-store.js';

type ResolvedDynamoDBStoreOptions = Required<
  Pick<DynamoDBStoreOptions, 'tableName' | 'keyAttribute' | 'expiryAttribute' | 'compressAboveBytes' | 'maxStoredResultBytes'>
> &
  Pick<DynamoDBStoreOptions, 'sortKeyAttribute'>;

const recordAttributes: ReadonlySet<string> = new Set(Object.values(fixedAttributeNames));

/**
 * Checks the merged store options once, at construction.
 * @throws {TypeError} naming the first invalid option.
 */
export function validateDynamoDBStoreOptions(options: DynamoDBStoreOptions & ResolvedDynamoDBStoreOptions): ResolvedDynamoDBStoreOptions {
  requireNonEmptyString('tableName', options.tableName);
  requireAttributeNames(options);
  requirePositiveInteger('compressAboveBytes', options.compressAboveBytes);
  requirePositiveInteger('maxStoredResultBytes', options.maxStoredResultBytes);
  const largest = largestStoredResultBytes(itemAttributeNames(options.keyAttribute, options.expiryAttribute, options.sortKeyAttribute));
  if (options.maxStoredResultBytes > largest) {
    throw new TypeError(
      `Expected \`maxStoredResultBytes\` to be at most ${largest}, what fits in a 400 KB item beside the record's other attributes, got ${options.maxStoredResultBytes}.`,
    );
  }
  if (options.client !== undefined && options.clientConfig !== undefined) {
    throw new TypeError('Expected either `client` or `clientConfig`, got both.');
  }
  return options;
}

// Two attributes under one name would merge: every key in one item ('status'), or a completion that rewrites the key ('data').
function requireAttributeNames(options: ResolvedDynamoDBStoreOptions): void {
  const configured = (['keyAttribute', 'sortKeyAttribute', 'expiryAttribute'] as const).filter(
    (option) => option !== 'sortKeyAttribute' || options[option] !== undefined,
  );
  for (const option of configured) {
    requireNonEmptyString(option, options[option]);
    const name = options[option] as string;
    if (utf8Bytes(name) > maxKeyAttributeNameBytes)
      throw new TypeError(`Expected \`${option}\` to be at most ${maxKeyAttributeNameBytes} bytes of UTF-8, got ${utf8Bytes(name)}.`);
    if (recordAttributes.has(name)) throw new TypeError(`Expected \`${option}\` to differ from the record's own attribute '${name}', got '${name}'.`);
  }
  for (const [index, option] of configured.entries()) {
    const earlier = configured.slice(0, index).find((other) => options[other] === options[option]);
    if (earlier !== undefined) throw new TypeError(`Expected \`${option}\` to differ from \`${earlier}\`, both are '${options[option]}'.`);
  }
}
