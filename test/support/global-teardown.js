/** Stops the DynamoDB Local and the redis-server that global-setup started. */
export default async function globalTeardown() {
  await globalThis.dynamoDBLocal?.stop();
  await globalThis.redisServer?.stop();
}
