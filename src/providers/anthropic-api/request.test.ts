import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientResponseHeaders, upstreamRequestHeaders } from './request.js';
import { anthropicApiAdapter } from './auth.js';

test('upstream headers: allow-listed client headers, forced identity encoding, account auth wins', () => {
  const h = upstreamRequestHeaders({
    'x-api-key': 'cr_client',
    authorization: 'Bearer cr_client',
    'anthropic-beta': 'a,b',
    'x-stainless-os': 'Linux',
    'user-agent': 'claude-cli/2.1.197',
    'accept-encoding': 'gzip, br',
    'content-type': 'text/plain',
    host: 'relay',
    connection: 'keep-alive',
    cookie: 'c=1',
    'x-forwarded-for': '1.2.3.4',
    'x-claude-code-session-id': 'sess',
  });
  anthropicApiAdapter.applyAuth(h, { apiKey: 'sk-ant-account' });
  assert.deepEqual(h, {
    'anthropic-beta': 'a,b',
    'x-stainless-os': 'Linux',
    'user-agent': 'claude-cli/2.1.197',
    'x-claude-code-session-id': 'sess',
    'anthropic-version': '2023-06-01',
    'content-type': 'application/json',
    'accept-encoding': 'identity',
    'x-api-key': 'sk-ant-account',
  });
});

test('client response headers: only the useful ones', () => {
  const h = clientResponseHeaders({
    'content-type': 'text/event-stream',
    'request-id': 'req_1',
    'retry-after': '3',
    'anthropic-ratelimit-unified-status': 'allowed',
    'anthropic-organization-id': 'org',
    'set-cookie': ['a=b'],
    'cf-ray': 'x',
    'transfer-encoding': 'chunked',
    connection: 'keep-alive',
  });
  assert.deepEqual(Object.keys(h).sort(), ['anthropic-ratelimit-unified-status', 'content-type', 'request-id', 'retry-after']);
});

test('API-key accounts: sk-ant- keys go as x-api-key, other vendors as bearer; hints reveal little', () => {
  const a: Record<string, string> = {};
  anthropicApiAdapter.applyAuth(a, { apiKey: 'sk-ant-api03-xyz' });
  assert.deepEqual(a, { 'x-api-key': 'sk-ant-api03-xyz' });
  const b: Record<string, string> = {};
  anthropicApiAdapter.applyAuth(b, { apiKey: 'vendor-key-123' });
  assert.deepEqual(b, { authorization: 'Bearer vendor-key-123' });
  assert.equal(anthropicApiAdapter.secretHint({ apiKey: 'sk-ant-api03-abcdefghijkl' }), 'sk-ant-…ijkl');
});
