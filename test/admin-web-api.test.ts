// The admin endpoints behind the web UI, over real HTTP: cookie sessions with CSRF, overview, analytics, the
// request log's cursor, system/meta, the OpenAPI document, and the key-holder API.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { createFakeUpstream, type FakeUpstream } from './support/fake-upstream/index.js';
import { ADMIN, startRelay, type TestRelay } from './support/harness.js';

const ACCOUNT_KEY = 'sk-ant-api03-web-api-account';

async function waitFor<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 3000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('admin API for the web UI', () => {
  let fake: FakeUpstream;
  let t: TestRelay;
  let key: { id: string; key: string };
  let accountId: string;

  before(async () => {
    fake = await createFakeUpstream({ apiKeys: [ACCOUNT_KEY] });
    t = await startRelay();
    accountId = (await t.addAccount(fake.url, { apiKey: ACCOUNT_KEY, name: 'web-acc' })).id;
    key = await t.createKey({ name: 'web-key', tags: ['team-a'] });
    const sdk = new Anthropic({ baseURL: `${t.url}/api`, apiKey: key.key, maxRetries: 0 });
    fake.enqueue({ kind: 'reply', usage: { input_tokens: 100, output_tokens: 50, cache_read_input_tokens: 300 } });
    await sdk.messages.create({ model: 'claude-sonnet-5', max_tokens: 32, messages: [{ role: 'user', content: 'hi' }] });
    for (let i = 0; i < 4; i++) await sdk.messages.create({ model: 'claude-sonnet-5', max_tokens: 8, messages: [{ role: 'user', content: `n${i}` }] });
    await waitFor(
      () => t.relay.store.usage.recentRequests(10, { keyId: key.id }),
      (r) => r.length >= 5,
    );
  });
  after(async () => {
    await t.close();
    await fake.close();
  });

  test('cookie session: HttpOnly SameSite=Strict, CSRF required for mutations, logout ends it server-side', async () => {
    const res = await fetch(`${t.url}/admin/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
    assert.equal(res.status, 200);
    const setCookie = res.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /crs_admin=/);
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    assert.doesNotMatch(setCookie, /Secure/, 'no Secure flag over plain HTTP');
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    const cookie = setCookie.split(';')[0];
    const me = await fetch(`${t.url}/admin/session`, { headers: { cookie } });
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as any).via, 'cookie');
    const noCsrf = await fetch(`${t.url}/admin/keys`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: '{"name":"x"}' });
    assert.equal(noCsrf.status, 403);
    assert.equal(((await noCsrf.json()) as any).error.code, 'CSRF_FAILED');
    const withCsrf = await fetch(`${t.url}/admin/keys`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': csrfToken },
      body: '{"name":"csrf-ok"}',
    });
    assert.equal(withCsrf.status, 201);
    const out = await fetch(`${t.url}/admin/session`, { method: 'DELETE', headers: { cookie, 'x-csrf-token': csrfToken } });
    assert.equal(out.status, 204);
    const after = await fetch(`${t.url}/admin/session`, { headers: { cookie } });
    assert.equal(after.status, 401, 'the old cookie no longer works');
    const bearer = await t.admin('GET', '/session');
    assert.equal(bearer.status, 200, 'bearer tokens keep working');
    const hints = await fetch(`${t.url}/admin/session/hints`);
    assert.deepEqual(await hints.json(), { initFileHint: false }, 'credentials from the environment: no init.json hint');
  });

  test('wrong login answers 401 LOGIN_FAILED; the password change checks the current password', async () => {
    const bad = await fetch(`${t.url}/admin/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'nope' }),
    });
    assert.equal(bad.status, 401);
    assert.equal(((await bad.json()) as any).error.code, 'LOGIN_FAILED');
    const wrong = await t.admin('PUT', '/me/password', { currentPassword: 'nope', newPassword: 'another-password-1' });
    assert.equal(wrong.status, 400);
    const short = await t.admin('PUT', '/me/password', { currentPassword: ADMIN.password, newPassword: 'short' });
    assert.equal(short.status, 400);
  });

  test('overview: today totals, live rate, key and account summaries in the reporting time zone', async () => {
    const r = await t.admin('GET', '/overview');
    assert.equal(r.status, 200);
    assert.equal(r.json.tz, 'UTC+08:00');
    assert.equal(r.json.today.requests, 5);
    assert.ok(r.json.today.costMicros > 0);
    assert.ok(r.json.live.rpm > 0);
    assert.equal(r.json.accounts.total, 1);
    assert.ok(r.json.keys.total >= 1);
    assert.ok(r.json.cacheHitRate > 0);
  });

  test('series and breakdown agree with the request records; CSV carries a BOM', async () => {
    const events = await t.relay.store.usage.recentRequests(50, { keyId: key.id });
    const costMicros = Math.round(events.reduce((s, e) => s + e.costNanos, 0) / 1000);
    const s = await t.admin('GET', '/usage/series?granularity=hour&metric=cost&groupBy=model');
    assert.equal(s.status, 200);
    assert.deepEqual(
      s.json.series.map((x: any) => x.id),
      ['claude-sonnet-5'],
    );
    const sum = s.json.buckets.reduce((a: number, b: any) => a + b.values['claude-sonnet-5'], 0);
    assert.ok(Math.abs(sum - costMicros / 1e6) < 1e-6, `${sum} vs ${costMicros}`);
    const tokens = await t.admin('GET', '/usage/series?metric=tokens&groupBy=tokenType');
    assert.deepEqual(
      tokens.json.series.map((x: any) => x.id),
      ['input', 'output', 'cacheWrite', 'cacheRead'],
    );
    const b = await t.admin('GET', `/usage/breakdown?dimension=key&from=${Date.now() - 3_600_000}`);
    const row = b.json.items.find((x: any) => x.id === key.id);
    assert.equal(row.label, 'web-key');
    assert.equal(row.requests, 5);
    assert.equal(row.costMicros, costMicros);
    const csv = await fetch(`${t.url}/admin/usage/breakdown.csv?dimension=model`, { headers: { authorization: `Bearer ${t.adminToken}` } });
    assert.match(csv.headers.get('content-type') ?? '', /text\/csv/);
    const bytes = Buffer.from(await csv.arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
    const text = bytes.toString('utf8');
    assert.match(text, /claude-sonnet-5/);
  });

  test('request log: newest first, cursor pages without gaps or repeats, filters, names', async () => {
    const first = await t.admin('GET', `/requests?limit=2&keyId=${key.id}`);
    assert.equal(first.status, 200);
    assert.equal(first.json.items.length, 2);
    assert.equal(first.json.items[0].keyName, 'web-key');
    assert.equal(first.json.items[0].accountName, 'web-acc');
    const seen = first.json.items.map((i: any) => i.id);
    let cursor = first.json.nextCursor;
    while (cursor) {
      const next = await t.admin('GET', `/requests?limit=2&keyId=${key.id}&cursor=${cursor}`);
      seen.push(...next.json.items.map((i: any) => i.id));
      cursor = next.json.nextCursor;
    }
    assert.equal(seen.length, 5);
    assert.equal(new Set(seen).size, 5);
    const errors = await t.admin('GET', '/requests?status=error');
    assert.equal(errors.json.items.length, 0);
    const bad = await t.admin('GET', '/requests?cursor=nonsense');
    assert.equal(bad.status, 400);
  });

  test('system, meta and search endpoints', async () => {
    const sys = await t.admin('GET', '/system');
    assert.equal(sys.json.store.ok, true);
    assert.equal(sys.json.tz, 'UTC+08:00');
    const meta = await t.admin('GET', '/meta');
    assert.ok(meta.json.accountKinds.some((k: any) => k.kind === 'anthropic-api' && k.credentialFields.some((f: any) => f.name === 'apiKey')));
    assert.ok(meta.json.models.includes('claude-sonnet-5'));
    const keys = await t.admin('GET', '/keys/search?q=web&sort=-cost&usageRange=today');
    assert.equal(keys.json.items[0].name, 'web-key');
    assert.equal(keys.json.items[0].usage.requests, 5);
    const tags = await t.admin('GET', '/keys/tags');
    assert.deepEqual(
      tags.json.items.find((x: any) => x.tag === 'team-a'),
      { tag: 'team-a', count: 1 },
    );
    const accounts = await t.admin('GET', '/accounts/search');
    assert.equal(accounts.json.items[0].id, accountId);
    assert.equal(accounts.json.items[0].today.requests, 5);
    assert.equal(accounts.json.counts.all, 1);
  });

  test('keys: batch create, renew, soft delete and restore', async () => {
    const batch = await t.admin('POST', '/keys/batch-create', { baseName: 'batch', count: 3, settings: { tags: ['b'] } });
    assert.equal(batch.status, 201);
    assert.deepEqual(
      batch.json.items.map((i: any) => i.name),
      ['batch-001', 'batch-002', 'batch-003'],
    );
    const id = batch.json.items[0].id;
    const renewed = await t.admin('POST', `/keys/${id}/renew`, { extendDays: 7 });
    assert.ok(Date.parse(renewed.json.expiresAt) > Date.now() + 6 * 86_400_000);
    assert.equal((await t.admin('DELETE', `/keys/${id}`)).json.status, 'deleted');
    const restored = await t.admin('POST', `/keys/${id}/restore`);
    assert.equal(restored.json.status, 'active');
  });

  test('account test sends one request through the account', async () => {
    const r = await t.admin('POST', `/accounts/${accountId}/test`, {});
    assert.equal(r.status, 200);
    assert.equal(r.json.ok, true);
    assert.equal(r.json.status, 200);
    assert.ok(r.json.latencyMs >= 0);
  });

  test('openapi.json documents the UI endpoints from their zod schemas', async () => {
    const r = await t.admin('GET', '/openapi.json');
    assert.equal(r.json.openapi, '3.1.0');
    for (const p of ['/admin/session', '/admin/overview', '/admin/usage/series', '/admin/requests', '/admin/keys', '/stats/api/me'])
      assert.ok(r.json.paths[p], p);
    const params = r.json.paths['/admin/usage/series'].get.parameters.map((p: any) => p.name);
    for (const n of ['granularity', 'metric', 'groupBy']) assert.ok(params.includes(n), n);
    assert.deepEqual(r.json.paths['/admin/keys'].post.requestBody.content['application/json'].schema.required, ['name']);
  });

  test('key-holder API: key in the body for a token; /me by token or by the key itself; unknown key refused', async () => {
    const bad = await fetch(`${t.url}/stats/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: 'cr_' + '0'.repeat(64) }),
    });
    assert.equal(bad.status, 401);
    const s = await fetch(`${t.url}/stats/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: key.key }),
    });
    const { token } = (await s.json()) as { token: string };
    assert.match(token, /^st_/);
    const me = (await (await fetch(`${t.url}/stats/api/me`, { headers: { authorization: `Bearer ${token}` } })).json()) as any;
    assert.equal(me.name, 'web-key');
    assert.equal(me.usage.today.requests, 5);
    assert.equal(JSON.stringify(me).includes(accountId), false, 'no account identities');
    const byKey = await fetch(`${t.url}/stats/api/me`, { headers: { 'x-api-key': key.key } });
    assert.equal(((await byKey.json()) as any).prefix, me.prefix);
    const line = await fetch(`${t.url}/stats/api/me?format=text`, { headers: { authorization: `Bearer ${key.key}` } });
    assert.match(await line.text(), /web-key · today \$/);
    const usage = (await (await fetch(`${t.url}/stats/api/me/usage`, { headers: { authorization: `Bearer ${token}` } })).json()) as any;
    assert.equal(usage.models[0].id, 'claude-sonnet-5');
    const reqs = (await (await fetch(`${t.url}/stats/api/me/requests`, { headers: { authorization: `Bearer ${token}` } })).json()) as any;
    assert.equal(reqs.items.length, 5);
    assert.equal(reqs.items[0].accountId, undefined);
  });
});

describe('PRICING_FILE: one price table for recorded costs and the admin API', () => {
  test('a custom price changes the recorded cost; a custom model is among the models the admin API lists', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crs-prices-'));
    const file = join(dir, 'prices.json');
    writeFileSync(
      file,
      JSON.stringify({
        'claude-sonnet-5': { input_cost_per_token: 1e-5, output_cost_per_token: 1e-4, cache_read_input_token_cost: 1e-6, litellm_provider: 'anthropic' },
        'claude-intranet-1': { input_cost_per_token: 1e-6, output_cost_per_token: 2e-6, litellm_provider: 'anthropic' },
      }),
    );
    const fake = await createFakeUpstream({ apiKeys: [ACCOUNT_KEY] });
    const t = await startRelay({ env: { PRICING_FILE: file } });
    try {
      await t.addAccount(fake.url, { apiKey: ACCOUNT_KEY });
      const k = await t.createKey({ name: 'priced' });
      fake.enqueue({ kind: 'reply', usage: { input_tokens: 100, output_tokens: 50, cache_read_input_tokens: 300 } });
      const sdk = new Anthropic({ baseURL: `${t.url}/api`, apiKey: k.key, maxRetries: 0 });
      await sdk.messages.create({ model: 'claude-sonnet-5', max_tokens: 32, messages: [{ role: 'user', content: 'hi' }] });
      // 100 × $10/MTok + 50 × $100/MTok + 300 × $1/MTok = $0.0063 (the bundled price gives another figure).
      const [row] = await t.recorded(k.id);
      assert.equal(row.costNanos, 6_300_000);
      const logged = await t.admin('GET', `/requests?keyId=${k.id}`);
      assert.equal(logged.json.items[0].costMicros, 6300);
      const meta = (await t.admin('GET', '/meta')).json;
      assert.ok(meta.models.includes('claude-intranet-1'), "the file's models are suggested");
      assert.ok(meta.modelsByProtocol.anthropic.includes('claude-intranet-1'));
    } finally {
      await t.close();
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
