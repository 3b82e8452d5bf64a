// crs backup / restore (SQLite and Redis: the restored store is identical to the source), crs export / import
// (secrets sealed unless --decrypt, conflicts refused unless --force, the ENCRYPTION_KEY check) and crs status,
// each run as a real `crs` process against the store a real relay uses.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { openRedisStore } from '../../src/store/redis/redis-store.js';
import { createFakeUpstream, type FakeUpstream } from '../support/fake-upstream/index.js';
import { startRelay, type TestRelay } from '../support/harness.js';
import { dropPrefix, redisSkipReason, testPrefix, TEST_REDIS_URL } from '../support/redis.js';
import { cleanupTempDirs, ROOT, tempDir } from './support.js';

const execFileP = promisify(execFile);
const CLI = join(ROOT, 'src', 'cli', 'main.ts');
const SECRETS = { ENCRYPTION_KEY: 'e'.repeat(32), JWT_SECRET: 'j'.repeat(40) };
const ACCOUNT_KEY = 'sk-ant-api03-backup-account-key-7777';

after(cleanupTempDirs);

interface CrsResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `crs` (from source) with a DATA_DIR and extra environment; never throws on a non-zero exit. */
async function crs(dataDir: string, args: string[], env: Record<string, string> = {}): Promise<CrsResult> {
  try {
    const r = await execFileP(process.execPath, ['--import', import.meta.resolve('tsx'), CLI, ...args], {
      cwd: dataDir,
      env: { ...process.env, DATA_DIR: dataDir, NODE_ENV: 'test', REDIS_URL: '', REDIS_HOST: '', ...SECRETS, ...env },
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** Keys, accounts, usage, request log and kv entries: a store with every kind of data in it. */
async function populate(t: TestRelay, fake: FakeUpstream): Promise<{ key: string; keyId: string; accountId: string }> {
  const account = await t.addAccount(fake.url, { apiKey: ACCOUNT_KEY });
  const k = await t.createKey({ name: 'alice', tags: ['team-a'] });
  const gone = await t.createKey({ name: 'bob' });
  assert.equal((await t.admin('DELETE', `/api-keys/${gone.id}`)).status, 200);
  fake.enqueue({ kind: 'reply', usage: { input_tokens: 12, output_tokens: 5 } });
  const res = await fetch(`${t.url}/api/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': k.key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }),
  });
  assert.equal(res.status, 200);
  await res.text();
  // A proxy (sealed like the key) set after the request, which could not have reached the fake through it.
  assert.equal((await t.admin('PATCH', `/accounts/${account.id}`, { proxy: 'http://proxy.intranet:3128' })).status, 200);
  await t.relay.store.kv.set('settings:branding', JSON.stringify({ title: 'Relay' }));
  await t.relay.store.kv.set('sticky:abc', 'x', 3_600_000);
  await t.relay.recorder.drain();
  await t.relay.pool.flush();
  return { key: k.key, keyId: k.id, accountId: account.id };
}

/** Every row of every table, in a stable order. */
function dumpSqlite(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true });
  try {
    const out: Record<string, unknown[]> = {};
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
    for (const { name } of tables) {
      const columns = db
        .prepare(`PRAGMA table_info(${name})`)
        .all()
        .map((_, i) => i + 1);
      out[name] = db.prepare(`SELECT * FROM ${name} ORDER BY ${columns.join(', ')}`).all();
    }
    out.user_version = [db.pragma('user_version', { simple: true })];
    return out;
  } finally {
    db.close();
  }
}

describe('SQLite', () => {
  test('backup while the relay runs, restore into an empty DATA_DIR: identical; a non-empty store needs --force', async () => {
    const fake = await createFakeUpstream({ apiKeys: [ACCOUNT_KEY] });
    const t = await startRelay({ env: SECRETS });
    const file = join(tempDir(), 'relay-backup.db');
    try {
      await populate(t, fake);
      const b = await crs(t.dataDir, ['backup', '--out', file]);
      assert.equal(b.code, 0, b.stderr);
      assert.match(b.stdout, /Backup of the sqlite store written to/);
      assert.equal(statSync(file).mode & 0o777, 0o600);
    } finally {
      await t.close().catch(() => undefined);
      await fake.close();
    }
    const source = dumpSqlite(file);
    assert.ok(source.api_keys.length === 2 && source.usage_agg.length > 0 && source.kv.length >= 2);

    const target = tempDir();
    const r = await crs(target, ['restore', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(dumpSqlite(join(target, 'app', 'relay.db')), source);

    const again = await crs(target, ['restore', file]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /is not empty .*pass --force/);
    const forced = await crs(target, ['restore', file, '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /previous database kept as .*before-restore-/);
    assert.deepEqual(dumpSqlite(join(target, 'app', 'relay.db')), source);
    assert.ok(readdirSync(join(target, 'app')).some((f) => f.startsWith('relay.db.before-restore-')));

    // The default destination, and refusing a backup of the wrong kind.
    const def = await crs(target, ['backup', '--json']);
    assert.equal(def.code, 0, def.stderr);
    const written = JSON.parse(def.stdout).file as string;
    assert.match(written, /\/backups\/crs-sqlite-\d{8}-\d{6}\.db$/);
    assert.ok(existsSync(written));
    const wrongKind = await crs(target, ['restore', written], { REDIS_URL: TEST_REDIS_URL });
    assert.equal(wrongKind.code, 2);
    assert.match(wrongKind.stderr, /is a sqlite backup but the configured store is redis/);
    const notBackup = await crs(target, ['restore', join(ROOT, 'package.json')]);
    assert.equal(notBackup.code, 2);
    assert.match(notBackup.stderr, /is not a backup made by crs backup/);
  });
});

/** Every key under a prefix with its type, value and whether it expires (values compared, not encodings). */
async function dumpRedis(prefix: string): Promise<Record<string, unknown>> {
  const r = new Redis(TEST_REDIS_URL);
  try {
    const out: Record<string, unknown> = {};
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        const type = await r.type(key);
        const ttl = await r.pttl(key);
        let value: unknown;
        if (type === 'string') value = await r.get(key);
        else if (type === 'hash') value = await r.hgetall(key);
        else if (type === 'set') value = (await r.smembers(key)).sort();
        else if (type === 'zset') value = await r.zrange(key, 0, -1, 'WITHSCORES');
        else if (type === 'list') value = await r.lrange(key, 0, -1);
        out[key.slice(prefix.length)] = { type, value, expires: ttl >= 0 };
      }
    } while (cursor !== '0');
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
  } finally {
    r.disconnect();
  }
}

describe('Redis', async () => {
  const skip = await redisSkipReason();
  const from = testPrefix();
  const to = testPrefix();
  after(async () => {
    if (skip) return;
    await dropPrefix(from);
    await dropPrefix(to);
  });

  test('backup of every key under the prefix, restore under another prefix: identical; --force replaces', { skip: skip ?? false }, async () => {
    const fake = await createFakeUpstream({ apiKeys: [ACCOUNT_KEY] });
    const redisEnv = { REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: from };
    const t = await startRelay({ env: { ...SECRETS, ...redisEnv } });
    const file = join(tempDir(), 'redis-backup.jsonl');
    try {
      await populate(t, fake);
    } finally {
      await t.close();
      await fake.close();
    }
    const b = await crs(tempDir(), ['backup', '--out', file], redisEnv);
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stdout, /Backup of the redis store written to .* \(\d+ keys\)/);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const source = await dumpRedis(from);
    assert.ok(Object.keys(source).length >= 8, `keys: ${Object.keys(source).join(' ')}`);

    const toEnv = { REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: to };
    const r = await crs(tempDir(), ['restore', file], toEnv);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await dumpRedis(to), source);

    // The restored store serves the same records through the relay's own store code.
    const [a, c] = await Promise.all([openRedisStore({ url: TEST_REDIS_URL, keyPrefix: from }), openRedisStore({ url: TEST_REDIS_URL, keyPrefix: to })]);
    try {
      assert.deepEqual(await c.apiKeys.list({ includeDeleted: true }), await a.apiKeys.list({ includeDeleted: true }));
      assert.deepEqual(await c.accounts.list(), await a.accounts.list());
      assert.deepEqual(await c.usage.recentRequests(10), await a.usage.recentRequests(10));
    } finally {
      await Promise.all([a.close(), c.close()]);
    }

    const again = await crs(tempDir(), ['restore', file], toEnv);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already holds keys under .*pass --force/);
    const forced = await crs(tempDir(), ['restore', file, '--force'], toEnv);
    assert.equal(forced.code, 0, forced.stderr);
    assert.deepEqual(await dumpRedis(to), source);
  });
});

describe('export / import', () => {
  test('sealed by default, --decrypt opens secrets; import refuses conflicts unless --force; keys keep working', async () => {
    const fake = await createFakeUpstream({ apiKeys: [ACCOUNT_KEY] });
    const a = await startRelay({ env: SECRETS });
    let data: { key: string; keyId: string; accountId: string };
    const sealedFile = join(tempDir(), 'export.json');
    const openFile = join(tempDir(), 'export-decrypted.json');
    try {
      data = await populate(a, fake);
      const e = await crs(a.dataDir, ['export', '--out', sealedFile]);
      assert.equal(e.code, 0, e.stderr);
      assert.match(e.stderr, /Exported 2 API keys, 1 accounts, 1 settings and groups/);
      assert.equal(statSync(sealedFile).mode & 0o777, 0o600);
      const d = await crs(a.dataDir, ['export', '--decrypt']);
      assert.equal(d.code, 0, d.stderr);
      const { writeFileSync } = await import('node:fs');
      writeFileSync(openFile, d.stdout);
    } finally {
      await a.close();
      await fake.close();
    }
    const sealedText = readFileSync(sealedFile, 'utf8');
    assert.ok(!sealedText.includes(ACCOUNT_KEY) && !sealedText.includes('proxy.intranet'), 'no plaintext secret in a sealed export');
    assert.ok(!sealedText.includes(data.key), 'relay keys are never exported, only their HMAC');
    const sealed = JSON.parse(sealedText);
    assert.match(sealed.accounts[0].secrets, /^v1\./);
    assert.deepEqual(
      sealed.settings,
      [{ key: 'settings:branding', value: JSON.stringify({ title: 'Relay' }) }],
      'settings only; runtime state with an expiry is not exported',
    );
    const opened = JSON.parse(readFileSync(openFile, 'utf8'));
    assert.equal(opened.decrypted, true);
    assert.equal(opened.accounts[0].secrets.apiKey, ACCOUNT_KEY);
    assert.equal(opened.accounts[0].proxy, 'http://proxy.intranet:3128');

    // Into a fresh store under the same ENCRYPTION_KEY: the relay key authenticates there.
    const b = await startRelay({ env: SECRETS });
    try {
      const i = await crs(b.dataDir, ['import', sealedFile]);
      assert.equal(i.code, 0, i.stderr);
      assert.match(i.stdout, /Imported 2 API keys, 1 accounts, 1 settings and groups/);
      await b.relay.pool.reload();
      const me = await fetch(`${b.url}/api/v1/me`, { headers: { 'x-api-key': data.key } });
      assert.equal(me.status, 200);
      const keys = JSON.parse((await crs(b.dataDir, ['keys', 'list', '--deleted', '--json'])).stdout);
      assert.deepEqual(keys.map((k: { name: string }) => k.name).sort(), ['alice', 'bob']);
      const accounts = JSON.parse((await crs(b.dataDir, ['accounts', 'list', '--json'])).stdout);
      assert.equal(accounts[0].secretHint, 'sk-ant-…7777');

      const conflict = await crs(b.dataDir, ['import', sealedFile]);
      assert.equal(conflict.code, 2);
      assert.match(conflict.stderr, /3 record\(s\) already exist; nothing was imported \(pass --force to replace them\)/);
      assert.match(conflict.stderr, new RegExp(`API key ${data.keyId} \\(alice\\)`));
      const forced = await crs(b.dataDir, ['import', sealedFile, '--force']);
      assert.equal(forced.code, 0, forced.stderr);
      assert.match(forced.stdout, /\(3 replaced\)/);
    } finally {
      await b.close();
    }

    // Under another ENCRYPTION_KEY: refused; a decrypted export re-seals the accounts with the new key.
    const other = { ENCRYPTION_KEY: 'o'.repeat(32) };
    const c = tempDir();
    const refused = await crs(c, ['import', sealedFile], other);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /different ENCRYPTION_KEY/);
    const reseal = await crs(c, ['import', openFile, '--ignore-key-check'], other);
    assert.equal(reseal.code, 0, reseal.stderr);
    assert.match(reseal.stderr, /warning: ENCRYPTION_KEY differs from the source: its relay API keys will not work/);
    const accounts = JSON.parse((await crs(c, ['accounts', 'list', '--json'], other)).stdout);
    assert.equal(accounts[0].secretHint, 'sk-ant-…7777', 'the account secret opens under the new key');

    const garbage = await crs(c, ['import', join(ROOT, 'package.json')], other);
    assert.equal(garbage.code, 2);
    assert.match(garbage.stderr, /Not a crs export: format is undefined/);
  });
});

describe('crs status', () => {
  test('store kind and reachability, counts, and the relay’s /health at the configured port', async () => {
    const t = await startRelay({ env: SECRETS });
    try {
      await t.createKey({ name: 'one' });
      const port = new URL(t.url).port;
      const r = await crs(t.dataDir, ['status', '--json'], { PORT: port, BIND_HOST: '127.0.0.1' });
      assert.equal(r.code, 0, r.stderr);
      const s = JSON.parse(r.stdout);
      assert.equal(s.store.kind, 'sqlite');
      assert.equal(s.store.reachable, true);
      assert.deepEqual(s.apiKeys, { total: 1, active: 1 });
      assert.deepEqual(s.accounts, { total: 0, schedulable: 0 });
      assert.equal(s.relay.status, 200);
      assert.equal(s.relay.health.status, 'ok');
      const text = await crs(t.dataDir, ['status'], { PORT: port, BIND_HOST: '127.0.0.1' });
      assert.match(text.stdout, /^store: +sqlite at .*: reachable/m);
      assert.match(text.stdout, /^relay: +http:\/\/127\.0\.0\.1:\d+\/health: HTTP 200 \(ok, version /m);
    } finally {
      await t.close();
    }
    const dir = tempDir();
    const down = await crs(dir, ['status'], { REDIS_URL: 'redis://127.0.0.1:1', PORT: '1' });
    assert.equal(down.code, 1);
    assert.match(down.stdout, /store: +redis at redis:\/\/127\.0\.0\.1:1: NOT reachable/);
    assert.match(down.stdout, /relay: +http:\/\/127\.0\.0\.1:1\/health: not answering/);
  });
});
