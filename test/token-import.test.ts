// Subscription accounts from pasted tokens (P10 item 3): a `claude setup-token` token (no refresh token) or an
// access + refresh pair, checked with the provider (the fake's profile and count_tokens endpoints, through the
// account's proxy) before saving; a refused token says so and saves nothing. Admin API and `crs accounts add`.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Anthropic from '@anthropic-ai/sdk';
import { buildOpenApi } from '../src/http/admin/openapi.js';
import { CLAUDE_CLIENT_ID, createFakeUpstream, type FakeUpstream } from './support/fake-upstream/index.js';
import { startRelay, type TestRelay } from './support/harness.js';
import { oauthEnv, storedSecrets } from './support/oauth.js';
import { startHttpProxy } from './support/proxies.js';

const REDIRECT = 'https://platform.claude.com/oauth/code/callback';

/** Tokens the fake really issued, as `claude setup-token` (scope user:inference) or a login would get them. */
async function issue(fake: FakeUpstream, scope: string): Promise<{ accessToken: string; refreshToken: string; expiresIn: number }> {
  const verifier = randomBytes(32).toString('base64url');
  const q = new URLSearchParams({
    code: 'true',
    client_id: CLAUDE_CLIENT_ID,
    response_type: 'code',
    redirect_uri: REDIRECT,
    scope,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state: 'st',
  });
  const [code] = fake.oauth.authorize(`${fake.url}/oauth/authorize?${q}`).split('#');
  const res = await fetch(`${fake.url}/v1/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'authorization_code', client_id: CLAUDE_CLIENT_ID, code, redirect_uri: REDIRECT, code_verifier: verifier, state: 'st' }),
  });
  const j = (await res.json()) as { access_token: string; refresh_token: string; expires_in: number };
  fake.clearRequests();
  return { accessToken: j.access_token, refreshToken: j.refresh_token, expiresIn: j.expires_in };
}

describe('subscription accounts from pasted tokens', () => {
  let fake: FakeUpstream;
  let t: TestRelay;

  before(async () => {
    fake = await createFakeUpstream();
    t = await startRelay({ env: oauthEnv(fake) });
  });
  after(async () => {
    await t.close();
    await fake.close();
  });
  beforeEach(() => {
    fake.reset();
    fake.oauth.reset();
    // Only tokens the fake issued authenticate: a made-up token is refused like the provider would.
    fake.oauth.strictTokens = true;
  });

  test('a setup token (no refresh token): checked with count_tokens, saved with a far expiry, and it relays', async () => {
    const { accessToken } = await issue(fake, 'user:inference');
    const before = Date.now();
    const r = await t.admin('POST', '/accounts/import-token', { name: 'setup token', accessToken });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    assert.equal(r.json.source, 'setup-token');
    assert.equal(r.json.identity, null, 'a setup token cannot read the profile');
    assert.equal(r.json.account.kind, 'anthropic-oauth');
    assert.equal(r.json.account.secretHint, `${accessToken.slice(0, 13)}…${accessToken.slice(-4)}`);
    // The provider was asked: the profile (403, scope) and then count_tokens with the token as bearer.
    const calls = fake.requests.map((q) => `${q.method} ${q.path} ${q.headers.authorization === `Bearer ${accessToken}`}`);
    assert.deepEqual(calls, ['GET /api/oauth/profile true', 'POST /v1/messages/count_tokens true']);
    assert.match(fake.requests[1].headers['anthropic-beta'] ?? '', /oauth-2025-04-20/);

    const { secrets } = await storedSecrets(t, r.json.account.id);
    assert.equal(secrets.accessToken, accessToken);
    assert.equal(secrets.refreshToken, null);
    assert.ok(secrets.expiresAt >= before + 364 * 86_400_000, 'a year, as `claude setup-token` tokens last');

    await t.relay.pool.reload();
    const key = await t.createKey({ name: 'setup-token user' });
    const sdk = new Anthropic({ baseURL: `${t.url}/api`, apiKey: key.key, maxRetries: 0 });
    const msg = await sdk.messages.create({ model: 'claude-sonnet-5', max_tokens: 16, messages: [{ role: 'user', content: 'via a setup token' }] });
    assert.equal(msg.type, 'message');
    assert.equal(fake.requests.at(-1)?.headers.authorization, `Bearer ${accessToken}`);
    assert.equal(fake.oauth.refreshCalls, 0, 'never refreshed');
    await t.admin('DELETE', `/accounts/${r.json.account.id}`);
  });

  test('an access + refresh pair: the profile names the subscriber; the given expiry is kept', async () => {
    const pair = await issue(fake, 'user:profile user:inference');
    const expiresAt = new Date(Date.now() + pair.expiresIn * 1000).toISOString();
    const r = await t.admin('POST', '/accounts/import-token', {
      kind: 'anthropic-oauth',
      name: 'pair',
      accessToken: pair.accessToken,
      refreshToken: pair.refreshToken,
      expiresAt,
      priority: 5,
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    assert.equal(r.json.source, 'token-pair');
    assert.deepEqual(r.json.identity, { email: 'subscriber@example.com', org: 'Example Org', plan: 'max' });
    assert.equal(r.json.tokenExpiresAt, expiresAt);
    assert.deepEqual(
      fake.requests.map((q) => q.path),
      ['/api/oauth/profile'],
      'the profile answered: no count_tokens needed',
    );
    const { secrets } = await storedSecrets(t, r.json.account.id);
    assert.equal(secrets.refreshToken, pair.refreshToken);
    assert.equal(secrets.expiresAt, Date.parse(expiresAt));
    assert.equal(secrets.email, 'subscriber@example.com');
    assert.equal(r.json.account.priority, 5);
    assert.deepEqual(r.json.account.identity, { email: 'subscriber@example.com', org: 'Example Org', plan: 'max' });
    await t.admin('DELETE', `/accounts/${r.json.account.id}`);
  });

  test('an expired access token with its refresh token: refreshed at import (the pair is proven), new tokens saved', async () => {
    const pair = await issue(fake, 'user:profile user:inference');
    const r = await t.admin('POST', '/accounts/import-token', {
      name: 'expired pair',
      accessToken: pair.accessToken,
      refreshToken: pair.refreshToken,
      expiresAt: Date.now() - 60_000,
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    assert.equal(fake.oauth.refreshCalls, 1);
    const { secrets } = await storedSecrets(t, r.json.account.id);
    assert.notEqual(secrets.accessToken, pair.accessToken);
    assert.ok(fake.oauth.isAccessTokenLive(secrets.accessToken));
    assert.ok(fake.oauth.isRefreshTokenLive(secrets.refreshToken));
    assert.ok(!fake.oauth.isRefreshTokenLive(pair.refreshToken), 'rotated');
    await t.admin('DELETE', `/accounts/${r.json.account.id}`);
  });

  test('refused tokens: the provider’s reason, nothing saved; misplaced pastes explained', async () => {
    const count = async () => (await t.admin('GET', '/accounts')).json.total;
    const n = await count();
    const bogus = await t.admin('POST', '/accounts/import-token', { name: 'bogus', accessToken: 'sk-ant-oat01-' + 'x'.repeat(60) });
    assert.equal(bogus.status, 400);
    assert.equal(bogus.json.error.code, 'OAUTH_INVALID_GRANT');
    assert.match(bogus.json.error.message, /The provider refused this token \(HTTP 401: Invalid bearer token\)/);

    // A setup token that was revoked (the fake forgets it): the profile says 403 (scope), count_tokens 401.
    const { accessToken } = await issue(fake, 'user:inference');
    fake.oauth.expireAccessToken(accessToken);
    const expired = await t.admin('POST', '/accounts/import-token', { name: 'expired', accessToken });
    assert.equal(expired.status, 400);
    assert.match(expired.json.error.message, /HTTP 401: OAuth token has expired/);

    const apiKey = await t.admin('POST', '/accounts/import-token', { name: 'wrong', accessToken: 'sk-ant-api03-abcdefghijklmnop' });
    assert.equal(apiKey.status, 400);
    assert.equal(apiKey.json.error.code, 'VALIDATION_FAILED');
    assert.match(apiKey.json.error.message, /API key .*anthropic-api account/);
    const swapped = await t.admin('POST', '/accounts/import-token', { name: 'wrong', accessToken: 'sk-ant-ort01-abcdefghijklmnop' });
    assert.match(swapped.json.error.message, /refresh token/);
    const noRefresh = await t.admin('POST', '/accounts/import-token', {
      name: 'old',
      accessToken: 'sk-ant-oat01-abcdefghijklmnop',
      expiresAt: Date.now() - 1000,
    });
    assert.equal(noRefresh.status, 400);
    assert.match(noRefresh.json.error.message, /expired and there is no refresh token/);
    const apiKind = await t.admin('POST', '/accounts/import-token', { kind: 'anthropic-api', name: 'x', accessToken: 'sk-ant-oat01-abcdefghijklmnop' });
    assert.equal(apiKind.status, 400, 'only kinds that can check pasted tokens');
    assert.equal(await count(), n, 'nothing was saved');
  });

  test('the check goes through the account’s proxy; an unreachable provider is a 502, not a saved account', async () => {
    const proxy = await startHttpProxy();
    try {
      const { accessToken } = await issue(fake, 'user:inference');
      const r = await t.admin('POST', '/accounts/import-token', { name: 'proxied', accessToken, proxy: proxy.url });
      assert.equal(r.status, 201, JSON.stringify(r.json));
      const port = new URL(fake.url).port;
      assert.ok(
        proxy.records.some((x) => x.target.includes(`127.0.0.1:${port}`)),
        JSON.stringify(proxy.records),
      );
      assert.deepEqual(r.json.account.proxy, { type: 'http', host: new URL(proxy.url).host });
      await t.admin('DELETE', `/accounts/${r.json.account.id}`);
    } finally {
      await proxy.close();
    }
    const down = await t.admin('POST', '/accounts/import-token', { name: 'down', accessToken: 'sk-ant-oat01-' + 'y'.repeat(40), proxy: 'http://127.0.0.1:1' });
    assert.equal(down.status, 502);
    assert.match(down.json.error.message, /could not be reached through the account’s proxy/);
  });

  test('replacing the token of an existing account: checked first, settings kept', async () => {
    const first = await issue(fake, 'user:inference');
    const created = await t.admin('POST', '/accounts/import-token', { name: 'renewable', accessToken: first.accessToken, priority: 7 });
    const id = created.json.account.id;
    const refused = await t.admin('POST', `/accounts/${id}/import-token`, { accessToken: 'sk-ant-oat01-' + 'z'.repeat(50) });
    assert.equal(refused.status, 400);
    assert.equal((await storedSecrets(t, id)).secrets.accessToken, first.accessToken, 'unchanged after a refusal');
    const next = await issue(fake, 'user:profile user:inference');
    const r = await t.admin('POST', `/accounts/${id}/import-token`, { accessToken: next.accessToken, refreshToken: next.refreshToken });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.source, 'token-pair');
    assert.equal(r.json.account.priority, 7);
    assert.equal((await storedSecrets(t, id)).secrets.accessToken, next.accessToken);
    assert.equal((await t.admin('POST', '/accounts/no-such-id/import-token', { accessToken: next.accessToken })).status, 404);
    await t.admin('DELETE', `/accounts/${id}`);
  });

  test('crs accounts add --kind anthropic-oauth --access-token / --credentials-file', async () => {
    const run = promisify(execFile);
    const CLI = join(import.meta.dirname, '..', 'src', 'cli', 'main.ts');
    const crs = (args: string[]) =>
      run(process.execPath, ['--import', import.meta.resolve('tsx'), CLI, ...args], {
        cwd: t.dataDir,
        env: { ...process.env, DATA_DIR: t.dataDir, NODE_ENV: 'test', REDIS_URL: '', REDIS_HOST: '', ...oauthEnv(fake) },
      });
    const { accessToken } = await issue(fake, 'user:inference');
    const out = JSON.parse(
      (await crs(['accounts', 'add', '--kind', 'anthropic-oauth', '--name', 'cli setup token', '--access-token', accessToken, '--json'])).stdout,
    );
    assert.equal(out.kind, 'anthropic-oauth');
    assert.equal(out.source, 'setup-token');
    assert.equal((await storedSecrets(t, out.id)).secrets.accessToken, accessToken);

    // A Claude Code credentials file, as `~/.claude/.credentials.json` holds it.
    const pair = await issue(fake, 'user:profile user:inference');
    const file = join(t.dataDir, 'credentials.json');
    writeFileSync(
      file,
      JSON.stringify({
        claudeAiOauth: {
          accessToken: pair.accessToken,
          refreshToken: pair.refreshToken,
          expiresAt: Date.now() + 3_600_000,
          scopes: ['user:profile', 'user:inference'],
          subscriptionType: 'max',
        },
      }),
    );
    const text = (await crs(['accounts', 'add', '--kind', 'anthropic-oauth', '--name', 'from file', '--credentials-file', file])).stdout;
    assert.match(text, /Added account "from file" .*token-pair, subscriber@example\.com, max\); the provider accepted the token/);

    await assert.rejects(
      crs(['accounts', 'add', '--kind', 'anthropic-oauth', '--name', 'bad', '--access-token', 'sk-ant-oat01-' + 'q'.repeat(40)]),
      (e: { code: number; stderr: string }) => {
        assert.equal(e.code, 2);
        assert.match(e.stderr, /The provider refused this token \(HTTP 401/);
        return true;
      },
    );
  });

  test('the routes are in /admin/openapi.json', () => {
    const doc = buildOpenApi('test') as { paths: Record<string, Record<string, { requestBody?: unknown }>> };
    assert.ok(doc.paths['/admin/accounts/import-token']?.post?.requestBody);
    assert.ok(doc.paths['/admin/accounts/{id}/import-token']?.post?.requestBody);
  });
});
