import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { localDynamoDBClientConfig } from '../lib/local/dynamodb-local.js';

type Item = Record<string, AttributeValue>;

/** How the output names the figures taken with this fake, so nobody reads them as DynamoDB figures. */
export const inMemoryClientLabel = 'FAKE in-memory client (fault-injector style, no I/O)';

/**
 * A FAKE DynamoDB client, in the style of the test fault injector: a real `DynamoDBClient` (so both libraries accept
 * it) whose `send` answers from a Map at once, skipping the SDK's serialisation and the network. It exists only to
 * isolate each library's own CPU cost; no behaviour is ever judged on it.
 *
 * It answers the four commands both libraries send, with the shapes DynamoDB returns, under the bench's simplification
 * that no record expires: a conditional PutItem on an existing key throws `ConditionalCheckFailedException` carrying the
 * old `Item` when ALL_OLD is asked for; UpdateItem applies `SET #a = :v` and `REMOVE #a` clauses and ignores its
 * condition (the bench only completes its own claims); DeleteItem and GetItem work on the key `id`.
 */
export function createInMemoryClient(): DynamoDBClient {
  const client = new DynamoDBClient({ ...localDynamoDBClientConfig, endpoint: 'http://in-memory.invalid' });
  const items = new Map<string, Item>();
  // One exception per stored item version, thrown again for each duplicate: building an Error captures a stack trace,
  // which is the SDK's cost, not the library's, and would hide the difference this fake exists to show.
  const rejections = new WeakMap<Item, ConditionalCheckFailedException>();
  const rejection = (existing: Item) => {
    const error =
      rejections.get(existing) ??
      new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: { httpStatusCode: 400 }, Item: existing });
    rejections.set(existing, error);
    return error;
  };
  const idOf = (input: { TableName?: string; Key?: Item; Item?: Item }) => `${input.TableName}/${(input.Key ?? input.Item)?.id?.S}`;
  const answer = (command: unknown): object => {
    if (command instanceof PutItemCommand) {
      const existing = items.get(idOf(command.input));
      if (existing !== undefined && command.input.ConditionExpression !== undefined) {
        if (command.input.ReturnValuesOnConditionCheckFailure !== 'ALL_OLD')
          throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
        throw rejection(existing);
      }
      items.set(idOf(command.input), { ...command.input.Item });
      return {};
    }
    if (command instanceof UpdateItemCommand) {
      const id = idOf(command.input);
      items.set(id, applyUpdate(items.get(id) ?? { ...command.input.Key }, command.input));
      return {};
    }
    if (command instanceof DeleteItemCommand) {
      items.delete(idOf(command.input));
      return {};
    }
    if (command instanceof GetItemCommand) return { Item: items.get(idOf(command.input)) };
    throw new TypeError(`The in-memory bench client does not answer ${(command as object).constructor.name}`);
  };
  client.send = (async (command: unknown) => ({ ...answer(command), $metadata: { httpStatusCode: 200 } })) as DynamoDBClient['send'];
  return client;
}

function applyUpdate(item: Item, input: UpdateItemCommand['input']): Item {
  const names = input.ExpressionAttributeNames ?? {};
  const values = input.ExpressionAttributeValues ?? {};
  const [, set = '', remove = ''] = /^SET (.*?)(?: REMOVE (.*))?$/.exec(input.UpdateExpression ?? '') ?? [];
  const updated = { ...item };
  for (const clause of set.split(/,\s*/).filter(Boolean)) {
    const [name, value] = clause.split(/\s*=\s*/) as [string, string];
    updated[names[name] ?? name] = values[value] as AttributeValue;
  }
  for (const name of remove.split(/,\s*/).filter(Boolean)) delete updated[names[name] ?? name];
  return updated;
}
