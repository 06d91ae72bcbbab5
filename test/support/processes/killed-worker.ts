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
  /**
   * Without it, the worker dies while it waits at `killAfter`. With it, the worker is let go on and the kill lands this
   * many ms later, wherever the worker then is (a random point when the caller draws it). @default undefined
   */
  readonly delayMs?: number;
  /** The remaining time the worker's context reports: the lease of its claim. */
  readonly leaseMs: number;
  /** The payment provider's URL: the worker then charges the order through a step. @default undefined */
  readonly paymentsUrl?: string;
}

/** How a killed worker ended: its exit signal and the steps it printed before it died. */
export interface KilledWorker {
  readonly signal: NodeJS.Signals | null;
  readonly steps: readonly string[];
}

/**
 * Runs the crash tests' order worker in a real child process. The worker waits at each step until it is let go on, so
 * the kill at `killAfter` lands there however slow the machine is.
 */
export async function placeOrderAndKill(plan: KilledWorkerPlan): Promise<KilledWorker> {
  const args = [
    plan.endpoint,
    plan.idempotencyTable,
    plan.ordersTable,
    plan.key,
    String(plan.leaseMs),
    ...(plan.paymentsUrl === undefined ? [] : [plan.paymentsUrl]),
  ];
  const child = spawn(process.execPath, ['--import', 'tsx', workerPath, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const steps: string[] = [];
  const goOn = () => child.stdin.write('go\n');
  child.stdin.on('error', () => undefined);
  child.stdout.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      steps.push(line);
      if (line !== plan.killAfter) goOn();
      else if (plan.delayMs === undefined) child.kill('SIGKILL');
      else {
        goOn();
        setTimeout(() => child.kill('SIGKILL'), plan.delayMs);
      }
    }
  });
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, exitSignal) => resolve(exitSignal)));
  return { signal, steps };
}
