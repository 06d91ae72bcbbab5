import { requireNonEmptyString, requirePositiveInteger } from '../option-checks.js';
import type { DynamoDBStoreOptions } from './dynamodb-store.js';

type ResolvedDynamoDBStoreOptions = Required<Pick<DynamoDBStoreOptions, 'tableName' | 'keyAttribute' | 'expiryAttribute' | 'compressAboveBytes' | 'maxStoredResultBytes'>>;

/**
 * Checks the merged store options once, at construction.
 * @throws {TypeError} naming the first invalid option.
 */
export function validateDynamoDBStoreOptions(options: DynamoDBStoreOptions & ResolvedDynamoDBStoreOptions): ResolvedDynamoDBStoreOptions {
  requireNonEmptyString('tableName', options.tableName);
  requireNonEmptyString('keyAttribute', options.keyAttribute);
  requireNonEmptyString('expiryAttribute', options.expiryAttribute);
  if (options.keyAttribute === options.expiryAttribute) {
    throw new TypeError(`Expected \`expiryAttribute\` to differ from \`keyAttribute\`, both are '${options.keyAttribute}'.`);
  }
  requirePositiveInteger('compressAboveBytes', options.compressAboveBytes);
  requirePositiveInteger('maxStoredResultBytes', options.maxStoredResultBytes);
  if (options.client !== undefined && options.clientConfig !== undefined) {
    throw new TypeError('Expected either `client` or `clientConfig`, got both.');
  }
  return options;
}
