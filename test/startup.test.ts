// Start-up as an operator sees it: the real entry point, a wrong configuration refused with one message listing
// every problem, and a good one listening with the embedded SQLite store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const MAIN = join(import.meta.dirname, '..', 'src', 'main.ts');
const node = (env: Record<string, string>) => ({
  cwd: mkdtempSync(join(tmpdir(), 'crs-start-')),
  env: { ...process.env, NODE_ENV: 'production', REDIS_URL: '', REDIS_HOST: '', LOG_STDOUT: 'true', LOG_FILE: 'false', ...env },
});

test('a wrong configuration stops start-up with one message naming every problem', async () => {
  await assert.rejects(
    promisify(execFile)(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), MAIN],
      node({ PORT: 'abc', ENCRYPTION_KEY: 'short', TIMEZONE_OFFSET: '99' }),
    ),
    (e: { code: number; stderr: string }) => {
      assert.equal(e.code, 1);
      assert.match(e.stderr, /Invalid configuration:/);
      for (const v of ['PORT', 'ENCRYPTION_KEY: must be exactly 32 characters', 'TIMEZONE_OFFSET', 'JWT_SECRET: is required when NODE_ENV=production']) {
        assert.ok(e.stderr.includes(v), `mentions ${v}: ${e.stderr}`);
      }
      assert.equal(
        e.stderr
          .trim()
          .split('\n')
          .filter((l) => l.includes('claude-relay-service:')).length,
        1,
        'one message',
      );
      return true;
    },
  );
});

test('a good configuration listens on BIND_HOST:PORT with SQLite under DATA_DIR and answers /health', async () => {
  const opts = node({
    PORT: '0',
    BIND_HOST: '127.0.0.1',
    JWT_SECRET: 'j'.repeat(40),
    ENCRYPTION_KEY: 'e'.repeat(32),
    ADMIN_USERNAME: 'ops',
    ADMIN_PASSWORD: 'a-long-password',
    LOG_LEVEL: 'info',
  });
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), MAIN], { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no listen line: ${out}`)), 20_000);
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /"msg":"Server listening at (http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    const health = (await (await fetch(`${url}/health`)).json()) as { status: string; store: { kind: string; ok: boolean } };
    assert.equal(health.status, 'ok');
    assert.deepEqual([health.store.kind, health.store.ok], ['sqlite', true]);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
});
