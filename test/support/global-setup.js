// Plain JavaScript on purpose: Jest loads global setup outside its ESM module map, so it imports the TypeScript
// launcher through tsx, the same loader `npm start` uses.
import { tsImport } from 'tsx/esm/api';

/** Starts one DynamoDB Local for the whole run; workers find it through DYNAMODB_ENDPOINT. */
export default async function globalSetup() {
  const { startDynamoDBLocal } = await tsImport('../../lib/local/dynamodb-local.ts', import.meta.url);
  const local = await startDynamoDBLocal();
  globalThis.dynamoDBLocal = local;
  process.env.DYNAMODB_ENDPOINT = local.endpoint;
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
}
