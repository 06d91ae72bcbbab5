import type { CommandLog } from '../test/support/call-counter.js';

/** Microseconds for a table: whole numbers from 100 µs, one decimal below. */
export function formatMicros(micros: number): string {
  return micros >= 100 ? `${Math.round(micros).toLocaleString('en-US')} µs` : `${micros.toFixed(1)} µs`;
}

/** A ratio such as ours/theirs: `0.84×`. */
export function formatRatio(ratio: number): string {
  return `${ratio.toFixed(2)}×`;
}

/** Bytes in KB (1,000 bytes), one decimal. */
export function formatBytes(bytes: number): string {
  return `${(bytes / 1_000).toFixed(1)} KB`;
}

/** Invocations per second, whole. */
export function formatRate(perSecond: number): string {
  return `${Math.round(perSecond).toLocaleString('en-US')}/s`;
}

/** `['PutItem', 'GetItem', 'GetItem']` as `1 PutItem + 2 GetItem`. */
export function countCommands(commands: CommandLog): string {
  const counts = new Map<string, number>();
  for (const command of commands) counts.set(command, (counts.get(command) ?? 0) + 1);
  return [...counts].map(([command, count]) => `${count} ${command}`).join(' + ') || 'none';
}
