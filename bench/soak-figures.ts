import { cpus } from 'node:os';
import type { SoakTally } from './soak-client.js';
import { percentile } from './stats.js';

/** What the soak run knows besides the clients' tally. */
export interface SoakRun {
  readonly keysSent: number;
  readonly clientsPerKey: number;
  readonly elapsedSeconds: number;
  /** The 1-minute load average when the run started. */
  readonly startLoad: number;
  /** 201 answers that were not replays: handler executions that answered. */
  readonly firstAnswers: number;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

/** The soak figures as a two-column text table, and whether every invariant held (one order and one answer per key, no 5xx). */
export function soakFigures(tally: SoakTally, ordersPerKey: ReadonlyMap<string, number>, run: SoakRun): { table: string; held: boolean } {
  const count = (predicate: (status: number) => boolean) => [...tally.statuses].filter(([status]) => predicate(status)).reduce((sum, [, n]) => sum + n, 0);
  const perKey = [...ordersPerKey.values()];
  const orders = perKey.reduce((sum, n) => sum + n, 0);
  const histogram = new Map<number, number>();
  for (const n of perKey) histogram.set(n, (histogram.get(n) ?? 0) + 1);
  const requests = run.keysSent * run.clientsPerKey;
  const keysWithoutOrder = run.keysSent - ordersPerKey.size;
  const disagreeing = [...tally.answers.values()].filter((ids) => ids.size > 1).length;
  const serverErrors = count((status) => status >= 500);
  const rows: Array<[string, string]> = [
    ['client requests', String(requests)],
    ['keys', String(run.keysSent)],
    ['clients per key (concurrent)', String(run.clientsPerKey)],
    ['HTTP attempts (with retries)', String(tally.attempts)],
    ['client requests/s', (requests / run.elapsedSeconds).toFixed(0)],
    ['HTTP attempts/s', (tally.attempts / run.elapsedSeconds).toFixed(0)],
    ['attempt latency p50 / p99', `${ms(percentile(tally.attemptMs, 50))} / ${ms(percentile(tally.attemptMs, 99))}`],
    ['request latency p50 / p99 (retries included)', `${ms(percentile(tally.requestMs, 50))} / ${ms(percentile(tally.requestMs, 99))}`],
    ['409 answers (retried)', String(count((status) => status === 409))],
    ['5xx answers', String(serverErrors)],
    ['executions (first 201 answers)', String(run.firstAnswers)],
    ['orders in the table', String(orders)],
    [
      'orders per key',
      [...histogram]
        .sort(([a], [b]) => a - b)
        .map(([n, keys]) => `${n}: ${keys} keys`)
        .join(', ') || 'none',
    ],
    ['keys without an order', String(keysWithoutOrder)],
    ['duplicates found (keys with 2+ orders)', String(perKey.filter((n) => n > 1).length)],
    ['keys whose clients got different answers', String(disagreeing)],
    ['client requests without a 2xx answer', String(tally.unanswered)],
    ['duration', `${run.elapsedSeconds.toFixed(1)} s`],
    ['machine', `${cpus().length} cores, load ${run.startLoad.toFixed(1)} at start, Node ${process.version}`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const held =
    orders === run.keysSent && keysWithoutOrder === 0 && disagreeing === 0 && serverErrors === 0 && tally.unanswered === 0 && run.firstAnswers === run.keysSent;
  return { table: rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n'), held };
}
