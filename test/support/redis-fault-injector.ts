import type { NodeRedisClientLike, RedisClientLike } from '../../lib/idempotency/redis.js';
import { sendCommand } from '../../lib/idempotency/store/redis-client.js';

/** What a wrapped client saw and what it should break next. */
export interface RedisCommandLog {
  /** The commands sent since the last reset, by name, e.g. `{ EVALSHA: 2 }`. */
  readonly calls: Record<string, number>;
  reset(): void;
  /** Replaces the reply of the next script call with `reply`, after the real server has run it: a reply no server sends. */
  replaceNextReply(reply: unknown): void;
  /**
   * Sends the next command twice and answers with the second reply: the first reply lost after the server applied the
   * command, then the resend a client makes (ioredis resends unanswered commands after a reconnect).
   */
  resendNext(): void;
}

/**
 * A fault injector around a real client: every command goes to the server; it counts them by name, can replace one
 * reply with a shape Redis never sends, and can lose a reply and resend its command, which the real server cannot be
 * made to do on cue.
 */
export function injectRedisFaults(client: RedisClientLike): { client: NodeRedisClientLike; log: RedisCommandLog } {
  const calls: Record<string, number> = {};
  let replacement: { reply: unknown } | undefined;
  let resend = false;
  const wrapped: NodeRedisClientLike = {
    sendCommand: async (args) => {
      const name = args[0] ?? '';
      calls[name] = (calls[name] ?? 0) + 1;
      if (resend) {
        resend = false;
        await sendCommand(client, args);
      }
      const reply = await sendCommand(client, args);
      if (replacement === undefined) return reply;
      const { reply: replaced } = replacement;
      replacement = undefined;
      return replaced;
    },
  };
  return {
    client: wrapped,
    log: {
      calls,
      reset: () => {
        for (const name of Object.keys(calls)) delete calls[name];
      },
      replaceNextReply: (reply) => (replacement = { reply }),
      resendNext: () => (resend = true),
    },
  };
}
