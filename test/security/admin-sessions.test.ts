// P8 items 4 and 7: admin bearer tokens are revocable (logout, log out everywhere, password change, on every
// instance); a malformed session cookie is a 401 in the admin error shape, never a 500; the login answer is
// never cached.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSigner } from 'fast-jwt';
import { ADMIN, startRelay, startRelayPair, type TestRelay } from '../support/harness.js';
import { redisSkipReason } from '../support/redis.js';

async function token(t: TestRelay, password = ADMIN.password): Promise<string> {
  const res = await fetch(`${t.url}/web/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: ADMIN.username, password }),
  });
  assert.equal(res.status, 200);
  return ((await res.json()) as { token: string }).token;
}

async function call(t: TestRelay, bearer: string, method = 'GET', path = '/accounts', body?: unknown): Promise<number> {
  const res = await fetch(`${t.url}/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  await res.arrayBuffer();
  return res.status;
}

test('logout ends the bearer token it was sent with; other tokens live on', async () => {
  const t = await startRelay();
  try {
    const a = await token(t);
    const b = await token(t);
    assert.equal(await call(t, a), 200);
    assert.equal(await call(t, a, 'DELETE', '/session'), 204);
    assert.equal(await call(t, a), 401, 'a logged-out token is refused at once');
    assert.equal(await call(t, b), 200);
  } finally {
    await t.close();
  }
});

test('"log out everywhere" ends every token of the admin', async () => {
  const t = await startRelay();
  try {
    const a = await token(t);
    const b = await token(t);
    assert.equal(await call(t, b), 200, 'b is known (and cached) before the logout');
    assert.equal(await call(t, a, 'DELETE', '/session?all=true'), 204);
    assert.equal(await call(t, a), 401);
    assert.equal(await call(t, b), 401);
  } finally {
    await t.close();
  }
});

test('a password change ends every other token; the one that changed it stays; the CLI reset ends them all', async () => {
  const t = await startRelay();
  try {
    const a = await token(t);
    const b = await token(t);
    assert.equal(await call(t, b), 200);
    assert.equal(await call(t, a, 'PUT', '/me/password', { currentPassword: ADMIN.password, newPassword: 'another-password-456' }), 204);
    assert.equal(await call(t, b), 401, 'the other session ended');
    assert.equal(await call(t, a), 200, 'the session that changed the password goes on');
    await t.relay.auth.setPassword(ADMIN.username, 'third-password-789');
    assert.equal(await call(t, a), 401, 'an operator reset ends every session');
  } finally {
    await t.close();
  }
});

test('a token without a server-side session (a forged or pre-revocation token) is refused', async () => {
  const t = await startRelay();
  try {
    const secret = t.relay.config.jwtSecret;
    const sign = createSigner({ key: secret, algorithm: 'HS256', expiresIn: 3_600_000 });
    assert.equal(await call(t, sign({ sub: ADMIN.username, typ: 'admin' })), 401, 'no session id');
    assert.equal(await call(t, sign({ sub: ADMIN.username, typ: 'admin', sid: 'f'.repeat(32) })), 401, 'an unknown session');
  } finally {
    await t.close();
  }
});

test('revocation holds across instances sharing one Redis', { skip: (await redisSkipReason()) ?? false }, async () => {
  const pair = await startRelayPair();
  try {
    const a = await token(pair.a);
    assert.equal(await call(pair.b, a), 200, 'B accepts (and caches) the token');
    assert.equal(await call(pair.a, a, 'DELETE', '/session'), 204);
    const deadline = Date.now() + 2000;
    let status = 200;
    while (status === 200 && Date.now() < deadline) {
      status = await call(pair.b, a);
      if (status === 200) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(status, 401, 'B refuses the token once A logged it out');
  } finally {
    await pair.close();
  }
});

test('a malformed session cookie is a 401 in the admin error shape', async () => {
  const t = await startRelay();
  try {
    for (const cookie of ['crs_admin=%E0%A4%A', 'crs_admin=%', 'crs_admin=%ZZ; other=1']) {
      const res = await fetch(`${t.url}/admin/session`, { headers: { cookie } });
      assert.equal(res.status, 401, cookie);
      const body = (await res.json()) as { error: { code: string; requestId: string } };
      assert.equal(body.error.code, 'ADMIN_UNAUTHORIZED');
      assert.equal(typeof body.error.requestId, 'string');
    }
  } finally {
    await t.close();
  }
});

test('login answers are never cached', async () => {
  const t = await startRelay();
  try {
    for (const password of [ADMIN.password, 'wrong-password']) {
      const res = await fetch(`${t.url}/web/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: ADMIN.username, password }),
      });
      await res.arrayBuffer();
      assert.equal(res.headers.get('cache-control'), 'no-store', `status ${res.status}`);
    }
  } finally {
    await t.close();
  }
});
