import type { CallerOutcome } from './fault-scenario.js';

/** An HTTP answer, from a Middy handler or from `fetch`. */
export interface HttpAnswer {
  readonly statusCode: number;
  readonly headers?: Record<string, unknown>;
  readonly body?: string;
}

const header = (answer: HttpAnswer, name: string): string | undefined => {
  const entry = Object.entries(answer.headers ?? {}).find(([key]) => key.toLowerCase() === name);
  return entry === undefined ? undefined : String(entry[1]);
};

const parse = (body: string | undefined): unknown => {
  try {
    return JSON.parse(body ?? '');
  } catch {
    return body;
  }
};

/**
 * True when `answer` is a refusal as the HTTP layer promises them: a 4xx or 503 `application/problem+json` whose body
 * names its status, with a positive whole `Retry-After` on 409 in-progress and 503.
 */
export function isTypedRefusal(answer: HttpAnswer): boolean {
  if (header(answer, 'content-type') !== 'application/problem+json') return false;
  const problem = parse(answer.body) as { type?: unknown; status?: unknown } | undefined;
  if (typeof problem?.type !== 'string' || problem.status !== answer.statusCode) return false;
  const needsRetryAfter = answer.statusCode === 503 || problem.type === 'urn:lambda-idempotency:in-progress';
  const retryAfter = Number(header(answer, 'retry-after'));
  if (needsRetryAfter && !(Number.isInteger(retryAfter) && retryAfter > 0)) return false;
  return (answer.statusCode >= 400 && answer.statusCode < 500) || answer.statusCode === 503;
}

/** Sorts an HTTP answer into the outcomes the fault checks know; the handler's own planned 503 has type `urn:test:handler-failed`. */
export function httpOutcome(answer: HttpAnswer): CallerOutcome {
  if (answer.statusCode >= 200 && answer.statusCode < 300) return { kind: 'answer', result: parse(answer.body) };
  const problemType = (parse(answer.body) as { type?: unknown } | undefined)?.type;
  if (problemType === 'urn:test:handler-failed') return { kind: 'handler-failed' };
  if (!isTypedRefusal(answer)) return { kind: 'untyped', detail: `${answer.statusCode} ${answer.body ?? ''}` };
  return problemType === 'urn:lambda-idempotency:in-progress' ? { kind: 'in-progress' } : { kind: 'refused', detail: String(problemType) };
}
