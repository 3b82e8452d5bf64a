// ADMIN_USERNAME / ADMIN_PASSWORD as the guide writes them: a blank password is generated into init.json, and
// the environment seeds the first start only (a password changed in the web admin survives a restart; no
// password is hashed or verified at an ordinary start).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createRelay, type Relay } from '../src/bootstrap.js';
import { loadConfig } from '../src/config/index.js';
import { resolveSecrets } from '../src/config/secrets-file.js';
import { systemClock } from '../src/core/clock.js';
import type { AdminUser } from '../src/core/admin.js';
import { silentLogger } from '../src/platform/logger.js';
import { hashPassword } from '../src/platform/secrets.js';
import { ensureAdmin } from '../src/admin/admin-auth.js';
import type { Store } from '../src/store/types.js';
import { crsCli } from './support/crs.js';

const BASE_ENV = 'NODE_ENV=production\nJWT_SECRET=' + 'j'.repeat(48) + '\nENCRYPTION_KEY=' + 'e'.repeat(32) + '\nLOG_LEVEL=silent\nADMIN_SCRYPT_N=16384\n';

/** A deployment folder with a .env written as the guide does it; starts the relay from it (real config loading). */
function deployment(envText: string) {
  const dir = mkdtempSync(join(tmpdir(), 'crs-seed-'));
  writeFileSync(join(dir, '.env'), BASE_ENV + `DATA_DIR=${join(dir, 'data')}\n` + envText);
  return {
    dir,
    async start(): Promise<{ relay: Relay; url: string }> {
      const { config } = resolveSecrets(loadConfig({ env: {}, cwd: dir }));
      const relay = await createRelay(config, { log: silentLogger() });
      await relay.app.listen({ host: '127.0.0.1', port: 0 });
      return { relay, url: `http://127.0.0.1:${(relay.app.server.address() as AddressInfo).port}` };
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function login(url: string, username: string, password: string): Promise<{ status: number; token?: string }> {
  const res = await fetch(`${url}/web/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = (await res.json()) as { token?: string };
  return { status: res.status, token: body.token };
}

test('ADMIN_USERNAME set, ADMIN_PASSWORD= blank in .env: starts, and the generated password is in init.json', async () => {
  const d = deployment('ADMIN_USERNAME=ops\nADMIN_PASSWORD=\n');
  try {
    const config = loadConfig({ env: {}, cwd: d.dir });
    assert.deepEqual(config.admin, { username: 'ops', password: null });
    const { relay, url } = await d.start();
    try {
      assert.equal(relay.admin.source, 'generated');
      const file = join(d.dir, 'data', 'app', 'init.json');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const init = JSON.parse(readFileSync(file, 'utf8'));
      assert.equal(init.adminUsername, 'ops');
      assert.equal(typeof init.adminPassword, 'string');
      assert.ok(init.adminPassword.length >= 16);
      assert.equal((await login(url, 'ops', init.adminPassword)).status, 200);
      // the login page's hint points at init.json while the generated password is in use
      const hints = (await (await fetch(`${url}/admin/session/hints`)).json()) as { initFileHint: boolean };
      assert.equal(hints.initFileHint, true);
    } finally {
      await relay.close();
    }
  } finally {
    d.cleanup();
  }
});

test('ADMIN_PASSWORD alone: the username is generated, the password is the one in .env (not copied to init.json)', async () => {
  const d = deployment('ADMIN_PASSWORD=from-the-env-file\n');
  try {
    const { relay, url } = await d.start();
    try {
      const init = JSON.parse(readFileSync(join(d.dir, 'data', 'app', 'init.json'), 'utf8'));
      assert.match(init.adminUsername, /^cr_admin_[0-9a-f]{8}$/);
      assert.equal(init.adminPassword, null);
      assert.equal(init.passwordFrom, 'ADMIN_PASSWORD in .env');
      assert.equal((await login(url, init.adminUsername, 'from-the-env-file')).status, 200);
    } finally {
      await relay.close();
    }
  } finally {
    d.cleanup();
  }
});

test('a password changed in the web admin survives a restart with the old ADMIN_PASSWORD still in .env', async () => {
  const d = deployment('ADMIN_USERNAME=ops\nADMIN_PASSWORD=seed-password-1\n');
  try {
    let { relay, url } = await d.start();
    try {
      assert.equal(relay.admin.source, 'env');
      const { token } = await login(url, 'ops', 'seed-password-1');
      const changed = await fetch(`${url}/admin/me/password`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ currentPassword: 'seed-password-1', newPassword: 'changed-in-the-ui-2' }),
      });
      assert.equal(changed.status, 204, await changed.text());
    } finally {
      await relay.close();
    }
    ({ relay, url } = await d.start());
    try {
      assert.equal(relay.admin.source, 'existing');
      assert.equal(relay.admin.envPasswordIgnored, true);
      assert.equal((await login(url, 'ops', 'changed-in-the-ui-2')).status, 200, 'the UI password is kept');
      assert.equal((await login(url, 'ops', 'seed-password-1')).status, 401, '.env did not put the old one back');
    } finally {
      await relay.close();
    }
  } finally {
    d.cleanup();
  }
});

test('crs admin reset-password without --username resets the ADMIN_USERNAME of .env (the way to reset, since .env only seeds)', async () => {
  const d = deployment('ADMIN_USERNAME=ops\nADMIN_PASSWORD=seed-password-1\n');
  try {
    const { relay, url } = await d.start();
    try {
      const r = await crsCli(d.dir, ['admin', 'reset-password'], { DATA_DIR: join(d.dir, 'data'), NODE_ENV: 'production' });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /Password for ops set/);
      assert.equal((await login(url, 'ops', r.stdout.trim())).status, 200);
      assert.equal((await login(url, 'ops', 'seed-password-1')).status, 401);
    } finally {
      await relay.close();
    }
  } finally {
    d.cleanup();
  }
});

/** A store whose admin repository records calls (ensureAdmin touches nothing else). */
function adminStore(existing: AdminUser | null) {
  const calls: string[] = [];
  const admins = {
    async get(u: string) {
      calls.push(`get ${u}`);
      return existing && existing.username === u ? existing : null;
    },
    async put(u: AdminUser) {
      calls.push(`put ${u.username}`);
    },
    async count() {
      calls.push('count');
      return existing ? 1 : 0;
    },
  };
  return { store: { admins } as unknown as Store, calls };
}

test('ensureAdmin: an existing admin is left alone without hashing anything (no scrypt at an ordinary start)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crs-seed-'));
  try {
    const now = Date.now();
    const existing: AdminUser = { username: 'ops', passwordHash: await hashPassword('some-other-password', 16_384), createdAt: now, updatedAt: now };
    const { store, calls } = adminStore(existing);
    const started = performance.now();
    // At the default cost (N=2^17) one scrypt takes ~0.7 s: a check or a rehash here would show.
    const r = await ensureAdmin(store, systemClock, { dataDir: dir, fromEnv: { username: 'ops', password: 'the-env-password' }, scryptN: 131_072 });
    const ms = performance.now() - started;
    assert.deepEqual(calls, ['get ops']);
    assert.deepEqual(r, { username: 'ops', source: 'existing', envPasswordIgnored: true });
    assert.ok(ms < 100, `took ${ms.toFixed(0)} ms`);

    const none = adminStore(existing);
    assert.deepEqual(await ensureAdmin(none.store, systemClock, { dataDir: dir, fromEnv: null }), { username: '', source: 'existing' });
    assert.deepEqual(none.calls, ['count']);

    // another ADMIN_USERNAME than the existing admin's: that admin is created (seeded) once
    const other = adminStore(existing);
    const created = await ensureAdmin(other.store, systemClock, {
      dataDir: dir,
      fromEnv: { username: 'second', password: 'second-password' },
      scryptN: 16_384,
    });
    assert.deepEqual(created, { username: 'second', source: 'env' });
    assert.deepEqual(other.calls, ['get second', 'put second']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
