/**
 * The JSON Schema (draft 4, the dialect of API Gateway models) of an order body: the stack's request model, and what
 * the local server validates before a function runs. The function checks the same contract again in `order.ts`.
 */
export const orderBodySchema = {
  type: 'object',
  required: ['productId', 'quantity'],
  properties: {
    productId: { type: 'string', minLength: 1, maxLength: 64 },
    quantity: { type: 'integer', minimum: 1, maximum: 1000 },
    customerId: { type: 'string', minLength: 1, maxLength: 64 },
  },
} as const;
