import { validateHeaderName, validateHeaderValue } from 'node:http';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { gatewayAnswers } from './gateway-answers.js';

const timedOut = Symbol('timed out');

/** A proxy result to send, or API Gateway's own answer with the reason the function's was not used. */
export interface InvocationOutcome {
  readonly answer: APIGatewayProxyResult;
  readonly failure?: string;
}

/** The two deadlines of an invocation, in milliseconds from its start. */
export interface InvocationTimeouts {
  /** Lambda's: the invocation fails, and API Gateway answers 502. */
  readonly functionTimeoutMs: number;
  /** API Gateway's: it stops waiting and answers 504. */
  readonly integrationTimeoutMs: number;
}

/**
 * Runs `invoke` and returns its proxy result, as API Gateway's Lambda proxy integration does: a throw, a result that
 * is not a sendable proxy result or a handler past its Lambda timeout gets a 502, and no answer within the
 * integration timeout a 504, whichever comes first. The handler keeps running, as a frozen one resumes on AWS; what it
 * returns later is dropped.
 */
export async function invokeWithin(invoke: () => Promise<unknown> | undefined, timeouts: InvocationTimeouts): Promise<InvocationOutcome> {
  const { functionTimeoutMs, integrationTimeoutMs } = timeouts;
  const functionEnds = functionTimeoutMs <= integrationTimeoutMs;
  const timeoutMs = Math.min(functionTimeoutMs, integrationTimeoutMs);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof timedOut>((resolve) => (timer = setTimeout(() => resolve(timedOut), timeoutMs)));
  const settled = Promise.resolve()
    .then(invoke)
    .then(
      (result) => ({ result }),
      (error: unknown) => ({ error }),
    );
  try {
    const outcome = await Promise.race([settled, deadline]);
    if (outcome === timedOut && functionEnds)
      return { answer: gatewayAnswers.badGateway(), failure: `the function timed out after ${timeoutMs} ms (its Lambda timeout)` };
    if (outcome === timedOut)
      return { answer: gatewayAnswers.endpointTimeout(), failure: `the handler did not answer within the ${timeoutMs} ms integration timeout` };
    if ('error' in outcome) return { answer: gatewayAnswers.badGateway(), failure: describeError(outcome.error) };
    const sent = asLambdaSendsIt(outcome.result);
    if ('error' in sent) return { answer: gatewayAnswers.badGateway(), failure: `the handler's answer cannot be serialised: ${describeError(sent.error)}` };
    const problem = proxyResultProblem(sent.result);
    return problem === undefined
      ? { answer: sent.result as APIGatewayProxyResult }
      : { answer: gatewayAnswers.badGateway(), failure: `the handler's answer is not a proxy result: ${problem}` };
  } finally {
    clearTimeout(timer);
  }
}

// The Lambda runtime sends a handler's result to API Gateway as JSON: members that are undefined (a header a
// middleware removed) vanish, a Date becomes a string, and a result JSON cannot hold fails the invocation.
function asLambdaSendsIt(result: unknown): { result: unknown } | { error: unknown } {
  try {
    const json = JSON.stringify(result);
    return { result: json === undefined ? undefined : JSON.parse(json) };
  } catch (error) {
    return { error };
  }
}

const describeError = (error: unknown) => (error instanceof Error ? (error.stack ?? error.message) : String(error));

/** Why `value` cannot be written as an HTTP response, or `undefined` when it can. */
function proxyResultProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'no object';
  const result = value as Partial<Record<keyof APIGatewayProxyResult, unknown>>;
  if (!Number.isInteger(result.statusCode) || (result.statusCode as number) < 100 || (result.statusCode as number) > 599)
    return `statusCode ${String(result.statusCode)}`;
  if (result.body !== undefined && result.body !== null && typeof result.body !== 'string') return 'a body that is not a string';
  const pairs: Array<[string, unknown]> = Object.entries((result.headers ?? {}) as object);
  for (const [name, values] of Object.entries((result.multiValueHeaders ?? {}) as object)) {
    if (!Array.isArray(values)) return `multiValueHeaders.${name} is not an array`;
    for (const value of values as unknown[]) pairs.push([name, value]);
  }
  for (const [name, value] of pairs) {
    if (!['string', 'number', 'boolean'].includes(typeof value)) return `header ${JSON.stringify(name)} is not a string, number or boolean`;
    try {
      validateHeaderName(name);
      validateHeaderValue(name, String(value));
    } catch {
      return `header ${JSON.stringify(name)} cannot be sent`;
    }
  }
  return undefined;
}
