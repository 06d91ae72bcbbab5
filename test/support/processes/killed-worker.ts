import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PlacerStep } from './order-placer.js';

const workerPath = fileURLToPath(new URL('./order-worker.ts', import.meta.url));

/** What {@link placeOrderAndKill} needs: where the worker places its order and when it dies. */
export interface KilledWorkerPlan {
  readonly endpoint: string;
  readonly idempotencyTable: string;
  readonly ordersTable: string;
  readonly key: string;
  /** The step after which the worker gets SIGKILL. */
  readonly killAfter: PlacerStep;
  /** How long after `killAfter` the kill lands, in ms. @default 0 */
  readonly delayMs?: number;
  /** The worker's pause at each step, in ms; long enough that the kill lands inside it. */
  readonly pauseMs: number;
  /** The worker's Lambda deadline, in ms from its start: the lease of its claim. */
  readonly leaseMs: number;
}

/** How a killed worker ended: its exit signal and the steps it printed before it died. */
export interface KilledWorker {
  readonly signal: NodeJS.Signals | null;
  readonly steps: readonly string[];
}

/** Runs the crash tests' order worker in a real child process and SIGKILLs it `delayMs` after `killAfter`. */
export async function placeOrderAndKill(plan: KilledWorkerPlan): Promise<KilledWorker> {
  const args = [plan.endpoint, plan.idempotencyTable, plan.ordersTable, plan.key, String(plan.pauseMs), String(plan.leaseMs)];
  const child = spawn(process.execPath, ['--import', 'tsx', workerPath, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_OPTIONS: '' } });
  const steps: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      steps.push(line);
      if (line === plan.killAfter) setTimeout(() => child.kill('SIGKILL'), plan.delayMs ?? 0);
    }
  });
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, exitSignal) => resolve(exitSignal)));
  return { signal, steps };
}
