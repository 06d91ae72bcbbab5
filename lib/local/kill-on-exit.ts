import type { ChildProcess } from 'node:child_process';

/**
 * Kills `child` when this process exits or gets SIGINT/SIGTERM, so a local server never outlives the run that started
 * it (nor keeps its port). Returns the function that removes these hooks once the child is stopped on purpose.
 */
export function killOnExit(child: ChildProcess): () => void {
  const onExit = () => child.kill('SIGKILL');
  const onSignal = (signal: NodeJS.Signals) => {
    child.kill('SIGKILL');
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('exit', onExit);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return () => {
    process.off('exit', onExit);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

/**
 * Stops `child` on purpose: removes its exit hooks (`detach`, from {@link killOnExit}), sends `signal` unless it has already
 * exited, and resolves once it has.
 */
export async function stopChild(child: ChildProcess, detach: () => void, signal: NodeJS.Signals): Promise<void> {
  detach();
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}
