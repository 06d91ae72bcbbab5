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
  /** The step after which the worker gets SIGKILL at once. */
  readonly killAfter: PlacerStep;
  /** The worker's pause at each step, in ms; long enough that the kill lands inside it. */
  readonly pauseMs: number;
  /** The worker's Lambda deadline, in ms from its start: the lease of its claim. */
  readonly leaseMs: number;
}

/** Runs the crash tests' order worker in a real child process and SIGKILLs it right after `killAfter`; resolves with its exit signal. */
export async function placeOrderAndKill(plan: KilledWorkerPlan): Promise<NodeJS.Signals | null> {
  const args = [plan.endpoint, plan.idempotencyTable, plan.ordersTable, plan.key, String(plan.pauseMs), String(plan.leaseMs)];
  const child = spawn(process.execPath, ['--import', 'tsx', workerPath, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_OPTIONS: '' } });
  child.stdout.on('data', (chunk: Buffer) => {
    if (chunk.toString().split('\n').includes(plan.killAfter)) child.kill('SIGKILL');
  });
  return new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
}
