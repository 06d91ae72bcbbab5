import type { Context } from 'aws-lambda';

/**
 * A Lambda-like context for one local invocation: the function's name, a request id, and a remaining time that
 * counts down from `timeoutMs` like the real one.
 */
export function createInvocationContext(options: { functionName: string; requestId: string; timeoutMs: number }): Context {
  const deadlineMs = Date.now() + options.timeoutMs;
  const { functionName, requestId } = options;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadlineMs - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
