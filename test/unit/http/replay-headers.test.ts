import { describe, expect, it } from '@jest/globals';
import { markReplayedResponse, toReplayableResponse } from '../../../lib/idempotency/http/replay-headers.js';

describe('toReplayableResponse', () => {
  it('drops hop-by-hop and per-attempt headers and keeps the rest', () => {
    const response = {
      statusCode: 201,
      headers: { Location: '/orders/1', date: 'Tue', Connection: 'close', 'Set-Cookie': 's=1', 'X-Amzn-RequestId': 'r' },
      multiValueHeaders: { 'set-cookie': ['a=1', 'b=2'], Vary: ['Accept'] },
      cookies: ['c=1'],
      body: '{}',
    };
    expect(toReplayableResponse(response)).toEqual({
      statusCode: 201,
      headers: { Location: '/orders/1' },
      multiValueHeaders: { Vary: ['Accept'] },
      body: '{}',
    });
  });

  it('turns a bare HTTP API result into the 200 JSON response AWS sends', () => {
    expect(toReplayableResponse({ ok: true })).toEqual({ statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: '{"ok":true}' });
    expect(toReplayableResponse('text')).toMatchObject({ body: 'text' });
    expect(toReplayableResponse(undefined)).toMatchObject({ body: 'null' });
  });

  it('keeps a response without headers as it is', () => {
    expect(toReplayableResponse({ statusCode: 204 })).toEqual({ statusCode: 204 });
  });
});

describe('markReplayedResponse', () => {
  it('adds Idempotent-Replayed: true to headers and multiValueHeaders', () => {
    const marked = markReplayedResponse({ statusCode: 200, headers: { A: '1' }, multiValueHeaders: { B: ['2'] } });
    expect(marked.headers).toEqual({ A: '1', 'Idempotent-Replayed': 'true' });
    expect(marked.multiValueHeaders).toEqual({ B: ['2'], 'Idempotent-Replayed': ['true'] });
    expect(markReplayedResponse({ statusCode: 200 }).multiValueHeaders).toBeUndefined();
  });
});
