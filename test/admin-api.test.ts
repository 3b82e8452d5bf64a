// The admin API over real HTTP: login, session enforcement, validation, accounts and keys CRUD, secrets.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { API_KEY_PATTERN } from '../src/core/api-key.js';
import { ADMIN, startRelay, type TestRelay } from './support/harness.js';

describe('admin API', () => {
  let t: TestRelay;
  before(async () => {
    t = await startRelay();
  });
  after(() => t.close());

  test('admin routes need a session: 401 in the admin error shape', async () => {
    for (const [method, path] of [
      ['GET', '/accounts'],
      ['POST', '/api-keys'],
      ['GET', '/usage'],
      ['GET', '/nope'],
    ] as const) {
      const res = await fetch(`${t.url}/admin${path}`, { method });
      assert.equal(res.status, 401, `${method} ${path}`);
      const body = (await res.json()) as any;
      assert.equal(body.error.code, 'ADMIN_UNAUTHORIZED');
      assert.match(body.error.requestId, /^req_/);
    }
    const forged = await fetch(`${t.url}/admin/accounts`, { headers: { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.x' } });
    assert.equal(forged.status, 401);
  });

  test('login: wrong password 401, right password a working token', async () => {
    const bad = await fetch(`${t.url}/web/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: ADMIN.username, password: 'nope' }),
    });
    assert.equal(bad.status, 401);
    assert.equal(((await bad.json()) as any).error.code, 'LOGIN_FAILED');
    const ok = await fetch(`${t.url}/web/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
    assert.equal(ok.status, 200);
    const s = (await ok.json()) as any;
    assert.equal(s.username, ADMIN.username);
    assert.ok(Date.parse(s.expiresAt) > Date.now() + 3_600_000);
    const list = await fetch(`${t.url}/admin/accounts`, { headers: { authorization: `Bearer ${s.token}` } });
    assert.equal(list.status, 200);
    const missing = await fetch(`${t.url}/web/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":"x"}' });
    assert.equal(missing.status, 400);
    assert.equal(((await missing.json()) as any).error.code, 'VALIDATION_FAILED');
  });

  test('accounts: create returns no secret, list/get/patch/delete, bad input is 400 with field errors', async () => {
    const bad = await t.admin('POST', '/accounts', { kind: 'anthropic-api', name: '', apiKey: 'x', priority: -1, extra: 1 });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.code, 'VALIDATION_FAILED');
    const paths = bad.json.error.details.map((d: any) => d.path);
    for (const p of ['name', 'priority']) assert.ok(paths.includes(p), `details mention ${p}: ${paths}`);

    const badUrl = await t.admin('POST', '/accounts', {
      kind: 'anthropic-api',
      name: 'a',
      apiKey: 'sk-ant-api03-abcdefgh',
      baseUrl: 'http://169.254.169.254/latest',
    });
    assert.equal(badUrl.status, 400);
    assert.match(badUrl.json.error.message, /baseUrl/);
    const badProxy = await t.admin('POST', '/accounts', { kind: 'anthropic-api', name: 'a', apiKey: 'sk-ant-api03-abcdefgh', proxy: 'ftp://x:1' });
    assert.equal(badProxy.status, 400);
    const badKind = await t.admin('POST', '/accounts', { kind: 'nope', name: 'a', apiKey: 'sk-ant-api03-abcdefgh' });
    assert.equal(badKind.status, 400);

    const secret = 'sk-ant-api03-VERYSECRETVALUE-1234';
    const created = await t.admin('POST', '/accounts', {
      kind: 'anthropic-api',
      name: 'Main',
      apiKey: secret,
      baseUrl: 'http://127.0.0.1:9/v1/',
      priority: 10,
      proxy: 'socks5://user:pw@10.0.0.1:1080',
    });
    assert.equal(created.status, 201);
    const a = created.json;
    assert.equal(a.baseUrl, 'http://127.0.0.1:9');
    assert.equal(a.priority, 10);
    assert.equal(a.schedulable, true);
    assert.deepEqual(a.proxy, { type: 'socks5', host: '10.0.0.1:1080' });
    assert.equal(a.secretHint, 'sk-ant-…1234');
    const wire = JSON.stringify(a);
    assert.ok(!wire.includes('VERYSECRETVALUE') && !wire.includes('pw@'), 'no secret in the response');

    const got = await t.admin('GET', `/accounts/${a.id}`);
    assert.deepEqual(got.json, a);
    const listed = await t.admin('GET', '/accounts');
    assert.ok(listed.json.items.some((x: any) => x.id === a.id));
    assert.ok(!JSON.stringify(listed.json).includes('VERYSECRETVALUE'));

    const patched = await t.admin('PATCH', `/accounts/${a.id}`, { schedulable: false, proxy: null, apiKey: 'sk-ant-api03-ROTATED-9999' });
    assert.equal(patched.status, 200);
    assert.equal(patched.json.schedulable, false);
    assert.equal(patched.json.proxy, null);
    assert.equal(patched.json.secretHint, 'sk-ant-…9999');

    // at rest the secret is sealed, not plaintext
    const raw = await t.relay.store.accounts.get(a.id);
    assert.ok(raw && !raw.secrets.includes('ROTATED') && raw.secrets.startsWith('v1.'));

    assert.equal((await t.admin('DELETE', `/accounts/${a.id}`)).status, 204);
    assert.equal((await t.admin('GET', `/accounts/${a.id}`)).status, 404);
    assert.equal((await t.admin('DELETE', `/accounts/${a.id}`)).status, 404);
  });

  test('api keys: cr_ + 64 hex shown once, only an HMAC stored; list, patch, soft and permanent delete', async () => {
    const created = await t.admin('POST', '/api-keys', { name: 'alice', tags: ['team-a'], description: 'laptop' });
    assert.equal(created.status, 201);
    const k = created.json;
    assert.match(k.key, API_KEY_PATTERN);
    assert.equal(k.prefix, k.key.slice(0, 11));
    assert.equal(k.status, 'active');

    const stored = await t.relay.store.apiKeys.get(k.id);
    assert.ok(stored);
    assert.ok(!JSON.stringify(stored).includes(k.key.slice(3)), 'the plaintext key is not stored');
    assert.equal(stored.hash, t.relay.secrets.hashApiKey(k.key));

    const got = await t.admin('GET', `/api-keys/${k.id}`);
    assert.equal(got.json.key, undefined, 'the key is never shown again');
    assert.equal(got.json.name, 'alice');

    const alias = await t.admin('GET', `/keys/${k.id}`);
    assert.equal(alias.json.id, k.id);

    const search = await t.admin('GET', '/api-keys?q=TEAM-A');
    assert.deepEqual(
      search.json.items.map((x: any) => x.id),
      [k.id],
    );
    assert.equal(search.json.total, 1);

    const bad = await t.admin('PATCH', `/api-keys/${k.id}`, { isActive: 'yes', expiresAt: 'tomorrow' });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.json.error.details.map((d: any) => d.path).sort(), ['expiresAt', 'isActive']);

    const disabled = await t.admin('PATCH', `/api-keys/${k.id}`, { isActive: false });
    assert.equal(disabled.json.status, 'disabled');
    const expired = await t.admin('PATCH', `/api-keys/${k.id}`, { isActive: true, expiresAt: '2020-01-01T00:00:00Z' });
    assert.equal(expired.json.status, 'expired');
    assert.equal(expired.json.expiresAt, '2020-01-01T00:00:00.000Z');

    const del = await t.admin('DELETE', `/api-keys/${k.id}`);
    assert.equal(del.json.status, 'deleted');
    assert.equal(
      (await t.admin('GET', '/api-keys')).json.items.some((x: any) => x.id === k.id),
      false,
    );
    assert.equal(
      (await t.admin('GET', '/api-keys?includeDeleted=true')).json.items.some((x: any) => x.id === k.id),
      true,
    );
    assert.equal((await t.admin('DELETE', `/api-keys/${k.id}?permanent=true`)).status, 204);
    assert.equal((await t.admin('GET', `/api-keys/${k.id}`)).status, 404);
  });

  test('api keys: paging', async () => {
    for (let i = 0; i < 5; i++) await t.createKey({ name: `page-${i}`, tags: ['paging'] });
    const p1 = await t.admin('GET', '/api-keys?q=paging&page=1&pageSize=2');
    const p3 = await t.admin('GET', '/api-keys?q=paging&page=3&pageSize=2');
    assert.equal(p1.json.total, 5);
    assert.equal(p1.json.items.length, 2);
    assert.equal(p3.json.items.length, 1);
    assert.equal((await t.admin('GET', '/api-keys?pageSize=1000')).status, 400);
  });

  test('malformed JSON to the admin API is a 400 in the admin shape', async () => {
    const res = await fetch(`${t.url}/admin/api-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' },
      body: '{"name":',
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as any;
    assert.equal(body.error.code, 'BAD_JSON');
  });

  test('usage query validation', async () => {
    assert.equal((await t.admin('GET', '/usage?granularity=week')).status, 400);
    assert.equal((await t.admin('GET', '/usage?from=2026-02-01&to=2026-01-01')).status, 400);
    assert.equal((await t.admin('GET', '/usage?granularity=hour&from=2000-01-01&to=2026-01-01')).status, 400);
    const ok = await t.admin('GET', '/usage?granularity=day&from=2026-01-01T00:00:00Z&to=2026-01-03T00:00:00Z');
    assert.equal(ok.status, 200);
    assert.deepEqual(
      ok.json.buckets.map((b: any) => b.bucket),
      ['2026-01-01', '2026-01-02', '2026-01-03'],
    );
    assert.equal(ok.json.totals.requests, 0);
  });
});

describe('first start without ADMIN_USERNAME/ADMIN_PASSWORD', () => {
  test('writes generated credentials to DATA_DIR/app/init.json (0600) that log in', async () => {
    const t = await startRelay({ env: { ADMIN_USERNAME: '', ADMIN_PASSWORD: '' } });
    try {
      const file = join(t.dataDir, 'app', 'init.json');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const init = JSON.parse(readFileSync(file, 'utf8'));
      assert.match(init.adminUsername, /^cr_admin_[0-9a-f]{8}$/);
      assert.ok(init.adminPassword.length >= 16);
      const stored = await t.relay.store.admins.get(init.adminUsername);
      assert.ok(stored?.passwordHash.startsWith('scrypt$'), 'only a scrypt hash is stored');
      const res = await fetch(`${t.url}/web/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: init.adminUsername, password: init.adminPassword }),
      });
      assert.equal(res.status, 200);
    } finally {
      await t.close();
    }
  });
});

describe('login rate limit', () => {
  test('after 10 failures from one address: 429 with retry-after, even for the right password', async () => {
    const t = await startRelay();
    try {
      const attempt = (password: string) =>
        fetch(`${t.url}/web/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: ADMIN.username, password }),
        });
      for (let i = 0; i < 10; i++) assert.equal((await attempt('wrong')).status, 401);
      const limited = await attempt(ADMIN.password);
      assert.equal(limited.status, 429);
      assert.ok(Number(limited.headers.get('retry-after')) > 0);
      assert.equal(((await limited.json()) as any).error.code, 'LOGIN_RATE_LIMITED');
    } finally {
      await t.close();
    }
  });
});
