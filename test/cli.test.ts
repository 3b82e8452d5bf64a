// The crs command, run as a real process against the same DATA_DIR a relay uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { API_KEY_PATTERN } from '../src/core/api-key.js';
import { createFakeUpstream } from './support/fake-upstream/index.js';
import { startRelay } from './support/harness.js';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '..', 'src', 'cli', 'main.ts');

function crs(dataDir: string, args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, ['--import', import.meta.resolve('tsx'), CLI, ...args], {
    cwd: dataDir,
    env: { ...process.env, DATA_DIR: dataDir, NODE_ENV: 'test', REDIS_URL: '', REDIS_HOST: '', ...env },
  });
}

test('crs: keys, accounts and usage on the store a running relay shares', async () => {
  const fake = await createFakeUpstream();
  const t = await startRelay();
  try {
    // The CLI resolves the same secrets (DATA_DIR/app/secrets.json), so keys it creates work on the relay.
    const created = await crs(t.dataDir, [
      'keys',
      'create',
      '--name',
      'from-cli',
      '--tags',
      'a,b',
      '--set',
      'concurrencyLimit=2',
      '--set',
      'permissions=claude',
      '--set',
      'enableModelRestriction=true',
      '--set',
      'restrictedModels=claude-opus-4-8',
    ]);
    const key = created.stdout.trim();
    assert.match(key, API_KEY_PATTERN);
    assert.match(created.stderr, /shown only now/);

    const added = await crs(t.dataDir, ['accounts', 'add', '--name', 'cli-acct', '--base-url', fake.url, '--json'], {
      CRS_ACCOUNT_API_KEY: 'sk-ant-api03-from-cli-9999',
    });
    const account = JSON.parse(added.stdout);
    assert.equal(account.secretHint, 'sk-ant-…9999');
    assert.equal(account.baseUrl, fake.url);

    // the relay notices the other process's writes (data_version poll) and relays with them
    const deadline = Date.now() + 3000;
    while (!t.relay.pool.get(account.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const res = await fetch(`${t.url}/api/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 8, messages: [{ role: 'user', content: 'from the cli key' }] }),
    });
    assert.equal(res.status, 200);
    assert.equal(fake.requests.at(-1)?.headers['x-api-key'], 'sk-ant-api03-from-cli-9999');
    const key0 = (await t.relay.keys.list({})).items.find((k) => k.name === 'from-cli')!;
    await t.recorded(key0.id);

    const usage = JSON.parse((await crs(t.dataDir, ['usage', '--granularity', 'hour', '--json'])).stdout);
    assert.equal(usage.totals.requests, 1);
    assert.ok(usage.totals.input > 0);
    const text = (await crs(t.dataDir, ['usage'])).stdout;
    assert.match(text, /TOTAL\s+1\s+0/);

    const list = JSON.parse((await crs(t.dataDir, ['keys', 'list', '--json'])).stdout);
    const mine = list.find((k: { name: string }) => k.name === 'from-cli');
    assert.deepEqual(mine.tags, ['a', 'b']);
    assert.equal(mine.concurrencyLimit, 2);
    assert.deepEqual(mine.permissions, ['claude']);
    assert.deepEqual(mine.restrictedModels, ['claude-opus-4-8']);
    const updated = JSON.parse(
      (await crs(t.dataDir, ['keys', 'update', mine.id, '--set', 'dailyCostLimit=12.5', '--set', 'allowedClients=claude_code,codex_cli', '--json'])).stdout,
    );
    assert.equal(updated.dailyCostLimit, 12.5);
    assert.deepEqual(updated.allowedClients, ['claude_code', 'codex_cli']);
    await assert.rejects(
      crs(t.dataDir, ['keys', 'update', mine.id, '--set', 'concurrencyLimit=-1']),
      (e: { code: number; stderr: string }) => e.code === 2 && /concurrencyLimit/.test(e.stderr),
    );
    assert.equal(mine.key, undefined);
    await crs(t.dataDir, ['keys', 'disable', mine.id]);
    const deadline2 = Date.now() + 3000;
    let status = 0;
    while (Date.now() < deadline2) {
      status = (await fetch(`${t.url}/api/v1/models`, { headers: { 'x-api-key': key } })).status;
      if (status === 401) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(status, 401, 'a key disabled from the CLI stops working on the running relay');
  } finally {
    await t.close();
    await fake.close();
  }
});

test('crs: bad input exits 2 with a clear message', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crs-cli-'));
  await assert.rejects(crs(dir, ['accounts', 'add', '--name', 'x', '--api-key', 'short']), (e: { code: number; stderr: string }) => {
    assert.equal(e.code, 2);
    assert.match(e.stderr, /apiKey: apiKey looks too short/);
    return true;
  });
  await assert.rejects(crs(dir, ['usage', '--granularity', 'week']), (e: { code: number; stderr: string }) => {
    assert.equal(e.code, 2);
    assert.match(e.stderr, /granularity/);
    return true;
  });
  await assert.rejects(crs(dir, ['keys', 'list'], { ENCRYPTION_KEY: 'short' }), (e: { code: number; stderr: string }) => {
    assert.equal(e.code, 2);
    assert.match(e.stderr, /ENCRYPTION_KEY: must be exactly 32 characters/);
    return true;
  });
});

test('crs admin reset-password prints a new password that logs in', async () => {
  const t = await startRelay({ env: { ADMIN_USERNAME: '', ADMIN_PASSWORD: '' } });
  try {
    const { stdout } = await crs(t.dataDir, ['admin', 'reset-password', '--username', 'ops']);
    const password = stdout.trim();
    assert.ok(password.length >= 16);
    const res = await fetch(`${t.url}/web/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'ops', password }),
    });
    assert.equal(res.status, 200);
  } finally {
    await t.close();
  }
});
