import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { idempotency, makeIdempotent, type IdempotencyOptions } from '../../lib/idempotency/index.js';

/** A handler as the tests call it, whichever adapter wraps it. */
export type TestHandler<TEvent, TResult> = (event: TEvent, context?: Context) => Promise<TResult>;

/** Wraps `handler` with one of the two adapters; the same scenarios run over both. */
export type Adapter = <TEvent, TResult>(
  handler: (event: TEvent, context?: Context) => Promise<TResult>,
  options: IdempotencyOptions<TEvent, TResult>,
) => TestHandler<TEvent, TResult>;

/** The Middy middleware and the plain wrapper, for `describe.each`. */
export const adapters: Array<[string, Adapter]> = [
  [
    'middleware',
    (handler, options) => {
      const wrapped = middy(handler).use(idempotency(options));
      return (event, context) => wrapped(event, context ?? ({} as Context));
    },
  ],
  // The wrapped handlers are inline arrows: without a name of their own they need a namespace.
  ['wrapper', (handler, options) => makeIdempotent(handler, { namespace: 'test-handler', ...options })],
];
