// Runs a bundled handler twice with the same event, the way Lambda would deliver a retry, and prints what happened.
import { pathToFileURL } from 'node:url';

const bundle = await import(pathToFileURL(process.argv[2]).href);
const context = { functionName: 'consumer', awsRequestId: 'request-1', getRemainingTimeInMillis: () => 30_000 };
const event = { key: process.argv[3], amount: 42 };
const first = await bundle.handler(event, context);
const replay = await bundle.handler(event, context);
process.stdout.write(JSON.stringify({ first, replay, executions: bundle.countExecutions() }));
