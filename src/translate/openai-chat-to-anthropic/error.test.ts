// Anthropic error answers → OpenAI error bodies, and the relay's own errors in OpenAI shape (§4.4).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anthropicErrorToChat, anthropicStreamErrorToChat, openAiErrorBody } from './error.js';

const aErr = (type: string, message: string) => ({ type: 'error', error: { type, message }, request_id: 'req_1' });

interface Case {
  name: string;
  status: number;
  body: unknown;
  out: { status: number; type: string; code: string | null; message: string };
}

const cases: Case[] = [
  {
    name: 'invalid request',
    status: 400,
    body: aErr('invalid_request_error', 'max_tokens: required'),
    out: { status: 400, type: 'invalid_request_error', code: null, message: 'max_tokens: required' },
  },
  {
    name: 'upstream authentication is not the client key',
    status: 401,
    body: aErr('authentication_error', 'invalid x-api-key'),
    out: { status: 401, type: 'invalid_request_error', code: null, message: 'invalid x-api-key' },
  },
  {
    name: 'billing',
    status: 402,
    body: aErr('billing_error', 'credit balance too low'),
    out: { status: 402, type: 'insufficient_quota', code: 'insufficient_quota', message: 'credit balance too low' },
  },
  { name: 'permission', status: 403, body: aErr('permission_error', 'nope'), out: { status: 403, type: 'invalid_request_error', code: null, message: 'nope' } },
  {
    name: 'unknown model',
    status: 404,
    body: aErr('not_found_error', 'model: claude-foo'),
    out: { status: 404, type: 'invalid_request_error', code: 'model_not_found', message: 'model: claude-foo' },
  },
  {
    name: 'other not found',
    status: 404,
    body: aErr('not_found_error', 'Not found'),
    out: { status: 404, type: 'invalid_request_error', code: null, message: 'Not found' },
  },
  {
    name: 'request too large',
    status: 413,
    body: aErr('request_too_large', 'Request exceeds the maximum size'),
    out: { status: 413, type: 'invalid_request_error', code: 'request_too_large', message: 'Request exceeds the maximum size' },
  },
  {
    name: 'rate limit',
    status: 429,
    body: aErr('rate_limit_error', 'slow down'),
    out: { status: 429, type: 'requests', code: 'rate_limit_exceeded', message: 'slow down' },
  },
  {
    name: 'api error',
    status: 500,
    body: aErr('api_error', 'Internal server error'),
    out: { status: 500, type: 'server_error', code: null, message: 'Internal server error' },
  },
  {
    name: 'overloaded 529 → 503',
    status: 529,
    body: aErr('overloaded_error', 'Overloaded'),
    out: { status: 503, type: 'server_error', code: null, message: 'Overloaded' },
  },
  {
    name: 'body as a JSON string',
    status: 429,
    body: JSON.stringify(aErr('rate_limit_error', 'as text')),
    out: { status: 429, type: 'requests', code: 'rate_limit_exceeded', message: 'as text' },
  },
  {
    name: 'body as bytes',
    status: 400,
    body: new TextEncoder().encode(JSON.stringify(aErr('invalid_request_error', 'as bytes ✓'))),
    out: { status: 400, type: 'invalid_request_error', code: null, message: 'as bytes ✓' },
  },
  {
    name: 'HTML from a proxy gets a generic message',
    status: 502,
    body: '<html><body>Bad gateway</body></html>',
    out: { status: 502, type: 'server_error', code: null, message: 'Upstream error (HTTP 502)' },
  },
  { name: 'empty body', status: 503, body: '', out: { status: 503, type: 'server_error', code: null, message: 'Upstream error (HTTP 503)' } },
  {
    name: 'unknown error type maps by status',
    status: 422,
    body: aErr('brand_new_error', 'new'),
    out: { status: 422, type: 'invalid_request_error', code: null, message: 'new' },
  },
  {
    name: 'unknown 5xx type maps to server_error',
    status: 504,
    body: aErr('timeout_error', 'slow'),
    out: { status: 504, type: 'server_error', code: null, message: 'slow' },
  },
  {
    name: 'a non-error status takes the status of the error type',
    status: 200,
    body: aErr('overloaded_error', 'Overloaded'),
    out: { status: 503, type: 'server_error', code: null, message: 'Overloaded' },
  },
];

for (const c of cases) {
  test(`anthropicErrorToChat: ${c.name}`, () => {
    const r = anthropicErrorToChat(c.status, c.body);
    assert.equal(r.status, c.out.status);
    assert.deepEqual(r.body, { error: { message: c.out.message, type: c.out.type, param: null, code: c.out.code } });
  });
}

const bodyCases: { name: string; args: Parameters<typeof openAiErrorBody>; error: Record<string, unknown> }[] = [
  { name: '400 with param', args: [400, 'bad n', { param: 'n' }], error: { message: 'bad n', type: 'invalid_request_error', param: 'n', code: null } },
  {
    name: '401 relay key',
    args: [401, 'Invalid API key'],
    error: { message: 'Invalid API key', type: 'invalid_request_error', param: null, code: 'invalid_api_key' },
  },
  { name: '402 cost limit', args: [402, 'limit'], error: { message: 'limit', type: 'insufficient_quota', param: null, code: 'insufficient_quota' } },
  { name: '429 rate limit', args: [429, 'slow'], error: { message: 'slow', type: 'requests', param: null, code: 'rate_limit_exceeded' } },
  { name: '503 no account', args: [503, 'none'], error: { message: 'none', type: 'server_error', param: null, code: null } },
  {
    name: 'overrides win, code null included',
    args: [429, 'x', { type: 'tokens', code: null }],
    error: { message: 'x', type: 'tokens', param: null, code: null },
  },
  { name: 'unknown 4xx', args: [418, 'teapot'], error: { message: 'teapot', type: 'invalid_request_error', param: null, code: null } },
];
for (const c of bodyCases) {
  test(`openAiErrorBody: ${c.name}`, () => assert.deepEqual(openAiErrorBody(...c.args), { error: c.error }));
}

test('anthropicStreamErrorToChat maps the type and keeps the message', () => {
  assert.deepEqual(anthropicStreamErrorToChat(aErr('rate_limit_error', 'slow')), { message: 'slow', type: 'requests', code: null });
  assert.deepEqual(anthropicStreamErrorToChat({}), { message: 'upstream stream failed', type: 'server_error', code: null });
});
