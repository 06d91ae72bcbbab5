// A CommonJS consumer: require() of the ESM package (Node >= 20.19), both entry points, then a CDK synth.
const assert = require('node:assert/strict');
const library = require('lambda-idempotency');
const cdk = require('lambda-idempotency/cdk');
const { App, Stack } = require('aws-cdk-lib');

assert.equal(typeof library.createDynamoDBStore, 'function');
assert.equal(typeof library.idempotency, 'function');
assert.ok(new library.IdempotencyKeyError('missing', 'no key') instanceof library.IdempotencyError);
const app = new App({ outdir: process.argv[2] });
const stack = new Stack(app, 'ConsumerStack');
new cdk.IdempotencyTable(stack, 'Idempotency');
const resources = Object.values(app.synth().getStackByName('ConsumerStack').template.Resources);
process.stdout.write(JSON.stringify({ exports: Object.keys(library).length, resourceTypes: resources.map((resource) => resource.Type) }));
