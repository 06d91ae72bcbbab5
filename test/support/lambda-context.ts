import type { Context } from 'aws-lambda';

/** A Lambda context whose remaining time is `remainingMs` (or what `remaining()` says) and whose name is `functionName`. */
export function createLambdaContext(options: { functionName?: string; remainingMs?: number; remaining?: () => number } = {}): Context {
  const remaining = options.remaining ?? (() => options.remainingMs ?? 30_000);
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: options.functionName ?? 'test-function',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:test-function',
    memoryLimitInMB: '128',
    awsRequestId: `req-${Math.random().toString(36).slice(2)}`,
    logGroupName: '/aws/lambda/test-function',
    logStreamName: 'stream',
    getRemainingTimeInMillis: remaining,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
