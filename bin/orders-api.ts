import { createOrdersApiApp } from '../lib/orders-api-app.js';

// The CDK CLI runs this file (see cdk.json); the app synthesizes itself when the CLI asks.
createOrdersApiApp();
