import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { OrderValidationError } from '../../../functions/orders/order-errors.js';
import { parseOrderBody, parseOrderInput } from '../../../functions/orders/order.js';

describe('parseOrderInput', () => {
  it('accepts every valid order and drops unknown fields', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 64 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.option(fc.string({ minLength: 1, maxLength: 64 }), { nil: undefined }),
        (productId, quantity, customerId) => {
          const input = parseOrderInput({ productId, quantity, customerId, extra: true });
          expect(input).toEqual(customerId === undefined ? { productId, quantity } : { productId, quantity, customerId });
        },
      ),
    );
  });

  it.each([
    ['body', []],
    ['body', null],
    ['productId', { productId: '', quantity: 1 }],
    ['quantity', { productId: 'p', quantity: '1' }],
    ['customerId', { productId: 'p', quantity: 1, customerId: '' }],
  ])('names %s when it is invalid', (field, body) => {
    expect(() => parseOrderInput(body)).toThrow(expect.objectContaining({ field }));
  });
});

describe('parseOrderBody', () => {
  it('decodes base64 bodies and refuses text that is not JSON', () => {
    expect(parseOrderBody(Buffer.from('{"productId":"p","quantity":1}').toString('base64'), true)).toEqual({ productId: 'p', quantity: 1 });
    expect(() => parseOrderBody('nope')).toThrow(OrderValidationError);
    expect(() => parseOrderBody(null)).toThrow(OrderValidationError);
  });
});
