/** One route of the example orders API: the local server and the CDK stack both read this table. */
export interface OrderRoute {
  /** A name for the function, in PascalCase (the CDK construct id). */
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The API Gateway resource path, with `{param}` placeholders. */
  readonly resource: string;
  /** The handler module, relative to `functions/`; it exports `handler`. */
  readonly entry: string;
  /** Whether the function writes to the idempotency table. */
  readonly usesIdempotency: boolean;
  /** The DynamoDB item actions the function needs on the orders table. */
  readonly ordersTableActions: readonly string[];
  /** The JSON body API Gateway validates before the function runs; absent when the route takes no body. */
  readonly requestBody?: 'order';
  /** Whether the function charges the payment provider, and so gets its URL. @default false */
  readonly chargesPayment?: boolean;
}

/** Every route of the orders API. */
export const orderRoutes: readonly OrderRoute[] = [
  {
    name: 'CreateOrder',
    method: 'POST',
    resource: '/orders',
    entry: 'orders/create-order.ts',
    usesIdempotency: true,
    ordersTableActions: ['dynamodb:PutItem'],
    requestBody: 'order',
    chargesPayment: true,
  },
  {
    name: 'GetOrder',
    method: 'GET',
    resource: '/orders/{orderId}',
    entry: 'orders/get-order.ts',
    usesIdempotency: false,
    ordersTableActions: ['dynamodb:GetItem'],
  },
  {
    name: 'PlaceOrder',
    method: 'PUT',
    resource: '/orders/{orderId}',
    entry: 'orders/place-order.ts',
    usesIdempotency: true,
    ordersTableActions: ['dynamodb:UpdateItem'],
    requestBody: 'order',
  },
  {
    name: 'CancelOrder',
    method: 'DELETE',
    resource: '/orders/{orderId}',
    entry: 'orders/cancel-order.ts',
    usesIdempotency: true,
    ordersTableActions: ['dynamodb:UpdateItem'],
  },
  {
    name: 'CreateOrderIntent',
    method: 'POST',
    resource: '/order-intents',
    entry: 'orders/create-order-intent.ts',
    usesIdempotency: false,
    ordersTableActions: ['dynamodb:PutItem'],
  },
];

/** Each function's Lambda timeout, under API Gateway's 29 s integration timeout; the local server enforces it too. */
export const orderFunctionTimeoutSeconds = 10;

/** The environment variables the functions read. */
export const functionEnvironment = {
  idempotencyTableName: 'IDEMPOTENCY_TABLE_NAME',
  ordersTableName: 'ORDERS_TABLE_NAME',
  /** Optional: a DynamoDB endpoint such as DynamoDB Local; unset on AWS. */
  dynamoDBEndpoint: 'DYNAMODB_ENDPOINT',
  /** Optional: the payment provider's base URL; `POST /orders` then charges each order there. Unset or empty: no charge. */
  paymentProviderUrl: 'PAYMENT_PROVIDER_URL',
} as const;
