import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { findHeldClaim } from '../../lib/idempotency/claim-state.js';
import { layoutKey, tableLayouts, type TableLayout } from './dynamodb.js';

/** Records every handler execution per key and checks, inside the handler, that it runs under a live claim. */
export interface ExecutionLedger {
  /**
   * Runs `body` as one execution of `key`. First reads the idempotency record with a clean client and notes a
   * violation unless this invocation's claim is stored IN_PROGRESS with its lease token; also notes a violation when
   * another execution of `key` is still running.
   */
  run<T>(key: string, context: object, body: (execution: number) => Promise<T>): Promise<T>;
  /** How many executions of `key` started. */
  executions(key: string): number;
  /** Every broken invariant seen so far, as readable lines; `[]` when all held. */
  readonly violations: string[];
}

/** A ledger that reads records from `tableName` (keyed as `layout`) through `client`, which must not carry injected faults. */
export function createExecutionLedger(client: DynamoDBClient, tableName: string, layout: TableLayout = tableLayouts[0]![1]): ExecutionLedger {
  const started = new Map<string, number>();
  const running = new Map<string, number>();
  const violations: string[] = [];

  const checkClaim = async (key: string, context: object) => {
    const claim = findHeldClaim(context)?.claim;
    if (claim === undefined) return violations.push(`${key}: the handler ran without a claim`);
    const answer = await client.send(new GetItemCommand({ TableName: tableName, Key: layoutKey(claim.id, layout), ConsistentRead: true }));
    const item = answer.Item;
    if (item?.status?.S !== 'IN_PROGRESS' || item.lease_token?.S !== claim.leaseToken) {
      return violations.push(`${key}: the handler ran but its claim is not stored (status ${item?.status?.S ?? 'absent'})`);
    }
  };

  return {
    violations,
    executions: (key) => started.get(key) ?? 0,
    run: async (key, context, body) => {
      const execution = (started.get(key) ?? 0) + 1;
      started.set(key, execution);
      if ((running.get(key) ?? 0) > 0) violations.push(`${key}: execution ${execution} started while another was running`);
      running.set(key, (running.get(key) ?? 0) + 1);
      try {
        await checkClaim(key, context);
        return await body(execution);
      } finally {
        running.set(key, (running.get(key) ?? 1) - 1);
      }
    },
  };
}
