// SIGKILL under load (SQLite): a real relay process is killed while requests stream and while admin writes are
// answered. Everything committed before the kill is still there after it (request records, usage totals, an account
// and a key the admin API had confirmed), the database passes its integrity check, and the restarted relay serves
// at once. A key's concurrency slots held by the killed process stay taken until their lease expires (5 minutes;
// the lease TTL is not configurable, so the expiry is checked on the store with the clock moved past it): they are
// never lost for good.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createCore } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config/index.js';
import { resolveSecrets } from '../../src/config/secrets-file.js';
import { silentLogger } from '../../src/platform/logger.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { admissionPlan } from '../../src/accounting/limits.js';
import { withKeyDefaults, type ApiKey } from '../../src/core/api-key.js';
import { createFakeUpstream } from '../support/fake-upstream/index.js';
import { loadLoop, sendMessage, sleep } from '../support/load.js';
import { cleanupTempDirs, freePort, tempDir } from '../ops/support.js';
import { spawnRelay } from '../support/relay-procs.js';

const ACCOUNT_KEY = 'sk-ant-api03-sigkill-account-0001';
const DEDICATED_KEY = 'sk-ant-api03-sigkill-dedicated-0003';
const LEASE_TTL_MS = 300_000;

after(() => cleanupTempDirs());

test('SIGKILL under load, then restart: nothing committed is lost, the relay serves again, leases expire', async () => {
  const fake = await createFakeUpstream({ apiKeys: [ACCOUNT_KEY, DEDICATED_KEY, 'sk-ant-api03-confirmed-0002'] });
  const dir = tempDir('crs-sigkill-');
  const env = {
    NODE_ENV: 'production',
    DATA_DIR: join(dir, 'data'),
    BIND_HOST: '127.0.0.1',
    PORT: String(await freePort()),
    JWT_SECRET: 'j'.repeat(48),
    ENCRYPTION_KEY: 'e'.repeat(32),
    ADMIN_USERNAME: 'admin',
    ADMIN_PASSWORD: 'sigkill-test-password',
    ADMIN_SCRYPT_N: '16384',
    LOG_LEVEL: 'warn',
    LOG_STDOUT: 'false',
  };
  const { config } = resolveSecrets(loadConfig({ env, cwd: dir, envFile: null }));
  const core = await createCore(config, { log: silentLogger() });
  await core.accounts.create({ kind: 'anthropic-api', name: 'fake', baseUrl: fake.url, secrets: { apiKey: ACCOUNT_KEY } });
  const open = await core.keys.create({ name: 'open' });
  // The limited key has an account of its own (not shared), so its long streams are the only ones it serves.
  const dedicated = await core.accounts.create({
    kind: 'anthropic-api',
    name: 'dedicated',
    baseUrl: fake.url,
    secrets: { apiKey: DEDICATED_KEY },
    shared: false,
  });
  const limited = await core.keys.create({ name: 'limited', limits: { concurrencyLimit: 4, claudeAccountId: dedicated.id } });
  await core.close();
  const dbFile = join(env.DATA_DIR, 'app', 'relay.db');

  let relay = await spawnRelay(dir, env);
  const url = `http://127.0.0.1:${env.PORT}`;
  try {
    const login = await fetch(`${url}/web/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: env.ADMIN_PASSWORD }),
    });
    const token = ((await login.json()) as { token: string }).token;
    fake.setDefault({ kind: 'reply', usage: { input_tokens: 30, output_tokens: 7 } });

    // Load: short requests on one key, and four long streams holding the other key's four slots.
    let stop = false;
    const load = loadLoop(
      4,
      (w, i) => sendMessage(url, { key: open.key, stream: i % 2 === 0, text: `load ${w} ${i}`, timeoutMs: 15_000 }),
      () => stop,
    );
    fake.enqueue(
      { kind: 'reply', text: Array.from({ length: 200 }, (_, i) => `w${i}`).join(' '), stream: { delayMs: 100 } },
      { times: 4, apiKey: DEDICATED_KEY },
    );
    const longs = Array.from({ length: 4 }, (_, i) => sendMessage(url, { key: limited.key, stream: true, text: `long ${i}`, timeoutMs: 60_000 }));
    await sleep(1500);

    // Admin writes confirmed just before the kill.
    const acct = await fetch(`${url}/admin/accounts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'anthropic-api', name: 'confirmed', apiKey: 'sk-ant-api03-confirmed-0002', baseUrl: fake.url }),
    });
    assert.equal(acct.status, 201);
    const acctId = ((await acct.json()) as { id: string }).id;
    const keyRes = await fetch(`${url}/admin/api-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'confirmed' }),
    });
    assert.equal(keyRes.status, 201);
    const confirmedKey = (await keyRes.json()) as { id: string; key: string };

    // What is committed now (read through a second connection, as SQLite's WAL allows while the relay writes).
    const before = new SqliteStore({ file: dbFile, pollMs: 0 });
    const committed = await before.usage.recentRequests(100_000, { keyId: open.record.id });
    await before.close();
    assert.ok(committed.length > 5, `some requests were committed before the kill (${committed.length})`);

    relay.child.kill('SIGKILL');
    await relay.exited;
    stop = true;
    const served = await load;
    const longOutcomes = await Promise.all(longs);
    assert.ok(served.length > committed.length - 1);
    assert.ok(
      longOutcomes.every((o) => o.kind !== 'ok'),
      'the long streams were cut by the kill',
    );

    // The database survived the kill whole.
    const db = new Database(dbFile, { readonly: true });
    assert.equal((db.pragma('integrity_check') as { integrity_check: string }[])[0].integrity_check, 'ok');
    db.close();

    const after = new SqliteStore({ file: dbFile, pollMs: 0 });
    try {
      const rows = await after.usage.recentRequests(100_000, { keyId: open.record.id });
      const ids = new Set(rows.map((r) => r.requestId));
      for (const c of committed) assert.ok(ids.has(c.requestId), `request ${c.requestId} committed before the kill is still recorded`);
      assert.equal(ids.size, rows.length, 'no request recorded twice');
      assert.ok(await after.accounts.get(acctId), 'the account the admin API confirmed exists');
      assert.ok(await after.apiKeys.get(confirmedKey.id), 'the key the admin API confirmed exists');
      // The leases of the killed process are still there (nobody released them) …
      const q = { now: Date.now(), dailyLabel: '-', weeklyLabel: null, windowMs: 0 };
      assert.equal((await after.limits.counters(limited.record.id, q)).inFlight, 4, 'the four slots are still held');
      // … and they expire with their lease: past the TTL the key has all four slots again.
      const later = Date.now() + LEASE_TTL_MS + 1000;
      assert.equal((await after.limits.counters(limited.record.id, { ...q, now: later })).inFlight, 0);
      const limits = withKeyDefaults({ id: limited.record.id, limits: { concurrencyLimit: 4 } } as unknown as ApiKey).limits;
      for (let i = 0; i < 4; i++) {
        const plan = admissionPlan(limits, { model: 'claude-sonnet-4-5', now: later, offsetHours: 8, leaseId: `after-${i}`, leaseTtlMs: LEASE_TTL_MS })!;
        assert.deepEqual(await after.limits.admit(limited.record.id, plan), { ok: true }, `slot ${i + 1} of 4 after the lease expiry`);
      }
    } finally {
      await after.close();
    }

    // Restart on the same data: it serves at once, with the key the admin API created before the kill.
    relay = await spawnRelay(dir, env);
    fake.setDefault({ kind: 'reply' });
    assert.equal((await sendMessage(url, { key: open.key })).kind, 'ok');
    assert.equal((await sendMessage(url, { key: confirmedKey.key })).kind, 'ok');
    // Until the leases expire the limited key is at its cap: a clean 429, not a hang.
    const capped = await sendMessage(url, { key: limited.key });
    assert.equal(capped.status, 429);
    assert.equal(capped.errorType, 'rate_limit_error');
  } finally {
    if (relay.child.exitCode === null) relay.child.kill('SIGKILL');
    await fake.close();
  }
});
