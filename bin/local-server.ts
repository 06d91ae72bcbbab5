import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { functionEnvironment } from '../functions/routes.js';
import { printWelcome } from '../lib/local/welcome.js';
import { startDynamoDBLocal, type DynamoDBLocal } from '../lib/local/dynamodb-local.js';
import { findJavaProblem } from '../lib/local/java-check.js';
import { assertPortAvailable, startLocalServer } from '../lib/local/local-server.js';
import { startPaymentProvider, type PaymentProvider } from '../lib/local/payment-provider.js';

// `npm start`: the orders API on http://localhost:$PORT over DynamoDB Local; see the README's quick start.
const dataPath = fileURLToPath(new URL('../.data', import.meta.url));
const inMemory = process.argv.includes('--in-memory');
const port = Number(process.env.PORT ?? 3000);
// The SDK's Node 20 notice is about future releases and would bury the curl lines.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(): Promise<void> {
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`PORT must be a port number, got ${process.env.PORT}`);
  await assertPortAvailable(port);
  let dynamo: DynamoDBLocal | undefined;
  let endpoint = process.env[functionEnvironment.dynamoDBEndpoint];
  if (endpoint === undefined || endpoint === '') {
    const javaProblem = await findJavaProblem();
    if (javaProblem !== undefined) throw new Error(javaProblem);
    if (!inMemory) mkdirSync(dataPath, { recursive: true });
    dynamo = await startDynamoDBLocal({ dataPath: inMemory ? undefined : dataPath });
    endpoint = dynamo.endpoint;
  }
  // A payment provider of its own on a free loopback port, unless PAYMENT_PROVIDER_URL names one.
  let provider: PaymentProvider | undefined;
  let paymentProviderUrl = process.env[functionEnvironment.paymentProviderUrl];
  if (paymentProviderUrl === undefined || paymentProviderUrl === '') {
    provider = await startPaymentProvider();
    paymentProviderUrl = provider.url;
  }
  const server = await startLocalServer({ dynamoDBEndpoint: endpoint, port, paymentProviderUrl, log: (line) => console.log(line) }).catch(
    async (error: unknown) => {
      await provider?.close();
      await dynamo?.stop();
      throw error;
    },
  );
  printWelcome({
    url: `http://localhost:${server.port}`,
    dynamoDBEndpoint: endpoint,
    storage: dynamo === undefined ? 'external' : inMemory ? 'memory' : dataPath,
    paymentProviderUrl,
  });
  // Runs before DynamoDB Local's own SIGINT handler, which then stops java and exits.
  process.prependOnceListener('SIGINT', () => {
    console.log('\nStopping the local API…');
    void server
      .stop()
      .then(() => provider?.close())
      .then(() => dynamo?.stop())
      .then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
