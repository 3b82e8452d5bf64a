import { test } from 'node:test';
import assert from 'node:assert/strict';
import { upstreamRequestHeaders } from '../anthropic-api/request.js';
import type { ProviderDefaults } from '../types.js';
import { anthropicOAuthAdapter as adapter, anthropicOAuthSecrets, mergeBeta, type AnthropicOAuthSecrets } from './auth.js';

const S: AnthropicOAuthSecrets = { accessToken: 'sk-ant-oat01-ACCESS-abcd', refreshToken: 'sk-ant-ort01-REFRESH', expiresAt: 10_000_000 };

const betaCases = [
  { in: undefined, out: 'oauth-2025-04-20' },
  { in: '', out: 'oauth-2025-04-20' },
  { in: 'claude-code-20250219,interleaved-thinking-2025-05-14', out: 'claude-code-20250219,interleaved-thinking-2025-05-14,oauth-2025-04-20' },
  { in: 'oauth-2025-04-20,claude-code-20250219', out: 'oauth-2025-04-20,claude-code-20250219' },
  { in: ' a , b,a,,oauth-2025-04-20 , b', out: 'a,b,oauth-2025-04-20' },
];
for (const c of betaCases) test(`beta merge: ${JSON.stringify(c.in)}`, () => assert.equal(mergeBeta(c.in, 'oauth-2025-04-20'), c.out));

test('applyAuth: bearer token, no x-api-key, beta merged; every other client header untouched', () => {
  const h = upstreamRequestHeaders({
    'x-api-key': 'cr_relay_key',
    authorization: 'Bearer cr_relay_key',
    'anthropic-beta': 'claude-code-20250219,fine-grained-tool-streaming-2025-05-14',
    'user-agent': 'claude-cli/2.1.197 (external, cli)',
    'x-app': 'cli',
  });
  adapter.applyAuth(h, S);
  assert.deepEqual(h, {
    'anthropic-beta': 'claude-code-20250219,fine-grained-tool-streaming-2025-05-14,oauth-2025-04-20',
    'user-agent': 'claude-cli/2.1.197 (external, cli)',
    'x-app': 'cli',
    'anthropic-version': '2023-06-01',
    'content-type': 'application/json',
    'accept-encoding': 'identity',
    authorization: 'Bearer sk-ant-oat01-ACCESS-abcd',
  });
  const sdk = upstreamRequestHeaders({ 'user-agent': 'Anthropic/JS 1.14.0' });
  adapter.applyAuth(sdk, S);
  assert.equal(sdk['user-agent'], 'Anthropic/JS 1.14.0', 'an SDK client stays an SDK client');
});

test('refresh is due within 60 s of expiry, never for setup tokens; secrets parse with defaults', () => {
  const due = adapter.refresh!.due;
  assert.equal(due(S, S.expiresAt - 61_000), false);
  assert.equal(due(S, S.expiresAt - 60_000), true);
  assert.equal(due(S, S.expiresAt + 1), true);
  assert.equal(due({ ...S, refreshToken: null }, S.expiresAt + 1), false);
  assert.deepEqual(anthropicOAuthSecrets.parse({ accessToken: S.accessToken, expiresAt: 5 }), { accessToken: S.accessToken, refreshToken: null, expiresAt: 5 });
  assert.equal(adapter.secretHint(S), 'sk-ant-oat01-…abcd');
});

test('refresh.run: token endpoint through ctx.fetch; rotated refresh token and expiry replace the old ones', async () => {
  const bodies: unknown[] = [];
  const f = (async (url: string, init: RequestInit) => {
    bodies.push({ url, body: JSON.parse(init.body as string) });
    return new Response(JSON.stringify({ access_token: 'sk-ant-oat01-NEW', refresh_token: 'sk-ant-ort01-NEW', expires_in: 3600, scope: 'user:inference' }), {
      status: 200,
    });
  }) as unknown as typeof fetch;
  const defaults = { anthropicApiUrl: 'x', claudeOAuth: { tokenUrl: 'http://fake/v1/oauth/token', clientId: 'cid' } } as ProviderDefaults;
  const next = await adapter.refresh!.run({ ...S, email: 'a@b.c' }, { now: 1_000, fetch: f, defaults });
  assert.deepEqual(next, {
    accessToken: 'sk-ant-oat01-NEW',
    refreshToken: 'sk-ant-ort01-NEW',
    expiresAt: 1_000 + 3_600_000,
    scopes: ['user:inference'],
    email: 'a@b.c',
  });
  assert.deepEqual(bodies, [{ url: 'http://fake/v1/oauth/token', body: { grant_type: 'refresh_token', refresh_token: S.refreshToken, client_id: 'cid' } }]);
});

const at = 1_000;
const fail = (status: number, message: string, headers: Record<string, string> = {}) => ({
  status,
  headers,
  body: { type: 'error', error: { type: 'x', message } },
  at,
});
const classifyCases = [
  { name: 'expired token', in: fail(401, 'OAuth token has expired. Please obtain a new token or refresh your existing token.'), kind: 'unauthorized' },
  { name: 'missing beta', in: fail(401, 'OAuth authentication is currently not supported.'), kind: 'unauthorized' },
  {
    name: 'Claude Code only (400)',
    in: fail(400, 'This credential is only authorized for use with Claude Code and cannot be used for other API requests.'),
    kind: 'client_error',
  },
  {
    name: 'Claude Code only (403)',
    in: fail(403, 'This credential is only authorized for use with Claude Code and cannot be used for other API requests.'),
    kind: 'client_error',
  },
  { name: 'organisation disabled (400)', in: fail(400, 'This organization has been disabled.'), kind: 'blocked' },
  {
    name: 'OAuth not allowed for the organisation (403)',
    in: fail(403, 'OAuth authentication is currently not allowed for this organization.'),
    kind: 'blocked',
  },
  {
    name: 'usage limit 429 with unified reset',
    in: fail(429, 'rate limited', { 'anthropic-ratelimit-unified-reset': '2000', 'anthropic-ratelimit-unified-representative-claim': 'five_hour' }),
    kind: 'rate_limited',
  },
  { name: '429 extra usage', in: fail(429, 'Long context requests require extra usage'), kind: 'client_error' },
  { name: '529', in: fail(529, 'Overloaded'), kind: 'overloaded' },
];
for (const c of classifyCases) test(`classify: ${c.name} → ${c.kind}`, () => assert.equal(adapter.classify(c.in).kind, c.kind));

test('observe reads the unified headers; identity and terms for the admin view', () => {
  const obs = adapter.observe!({ 'anthropic-ratelimit-unified-5h-utilization': '0.5', 'anthropic-ratelimit-unified-5h-status': 'allowed' }, 0);
  assert.deepEqual(obs?.windows, [{ id: '5h', utilization: 0.5, resetsAt: null, status: 'allowed' }]);
  assert.equal(adapter.observe!({}, 0), null);
  assert.deepEqual(adapter.identity!({ ...S, email: 'a@b.c', plan: 'max' }), { email: 'a@b.c', org: undefined, plan: 'max' });
  assert.equal(adapter.identity!(S), null);
  assert.match(adapter.terms!, /own use/);
  assert.match(adapter.terms!, /does not disguise/);
});
