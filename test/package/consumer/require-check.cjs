// A CommonJS consumer: require() of the ESM package (Node >= 20.19), both entry points, then a CDK synth of both constructs.
const assert = require('node:assert/strict');
const library = require('lambda-idempotency');
const cdk = require('lambda-idempotency/cdk');
const { App, Stack } = require('aws-cdk-lib');

assert.equal(typeof library.createDynamoDBStore, 'function');
assert.equal(typeof library.idempotency, 'function');
assert.ok(new library.IdempotencyKeyError('missing', 'no key') instanceof library.IdempotencyError);
const app = new App({ outdir: process.argv[2] });
const stack = new Stack(app, 'ConsumerStack');
const table = new cdk.IdempotencyTable(stack, 'Idempotency');
new cdk.IdempotencyMonitoring(stack, 'Monitoring', { table, functions: [] });
const resources = Object.values(app.synth().getStackByName('ConsumerStack').template.Resources);
process.stdout.write(JSON.stringify({ exports: Object.keys(library).length, resourceTypes: resources.map((resource) => resource.Type) }));
