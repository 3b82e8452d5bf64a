// Graceful shutdown for real: the relay runs as its own process (src/main.ts) against the fake upstream; SIGTERM
// arrives in the middle of a slow stream. The stream completes, new connections are refused, the process exits 0,
// the request's usage is recorded, and the log file tells the story. With a short SHUTDOWN_TIMEOUT_MS the open
// stream is cut at the deadline instead, and still recorded (as partial).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCore } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config/index.js';
import { resolveSecrets } from '../../src/config/secrets-file.js';
import { silentLogger } from '../../src/platform/logger.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { createFakeUpstream, type FakeUpstream } from '../support/fake-upstream/index.js';
import { cleanupTempDirs, freePort, spawnRelayFromSource, tempDir, type ChildRelay } from './support.js';

const ACCOUNT_KEY = 'sk-ant-api03-shutdown-account-0001';

after(() => {
  if (!process.env.KEEP) cleanupTempDirs();
});

/** A DATA_DIR with one account (at the fake) and one relay key, written before the relay starts. */
async function prepare(fake: FakeUpstream, extraEnv: Record<string, string> = {}) {
  const dir = tempDir('crs-shutdown-');
  const port = await freePort();
  const env = {
    NODE_ENV: 'production',
    DATA_DIR: join(dir, 'data'),
    BIND_HOST: '127.0.0.1',
    PORT: String(port),
    JWT_SECRET: 'j'.repeat(48),
    ENCRYPTION_KEY: 'e'.repeat(32),
    ADMIN_USERNAME: 'admin',
    ADMIN_PASSWORD: 'shutdown-test-password',
    LOG_LEVEL: 'info',
    LOG_STDOUT: 'false',
    ...extraEnv,
  };
  const { config } = resolveSecrets(loadConfig({ env, cwd: dir, envFile: null }));
  const core = await createCore(config, { log: silentLogger() });
  await core.accounts.create({ kind: 'anthropic-api', name: 'fake', baseUrl: fake.url, secrets: { apiKey: ACCOUNT_KEY } });
  const { record, key } = await core.keys.create({ name: 'shutdown' });
  await core.close();
  return { dir, env, port, key, keyId: record.id };
}

function startStream(port: number, key: string) {
  return fetch(`http://127.0.0.1:${port}/api/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 256, stream: true, messages: [{ role: 'user', content: 'a long answer please' }] }),
  });
}

/** Resolves with the connect error code (ECONNREFUSED expected), or 'connected'. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

async function readAll(res: Response, onFirstChunk: () => void): Promise<{ text: string; error: string | null }> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let first = true;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text, error: null };
      text += decoder.decode(value, { stream: true });
      if (first) {
        first = false;
        onFirstChunk();
      }
    }
  } catch (e) {
    return { text, error: (e as Error).message };
  }
}

function recordedRequests(dataDir: string, keyId: string) {
  const store = new SqliteStore({ file: join(dataDir, 'app', 'relay.db'), pollMs: 0 });
  return store.usage.recentRequests(10, { keyId }).finally(() => store.close());
}

function logLines(dataDir: string): { msg: string; [k: string]: unknown }[] {
  const dir = join(dataDir, 'logs');
  const files = readdirSync(dir).filter((f) => /^relay-\d{4}-\d{2}-\d{2}\.log$/.test(f));
  assert.equal(files.length, 1, `one daily log file in ${dir}: ${files.join(', ')}`);
  return readFileSync(join(dir, files[0]), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

test('SIGTERM mid-stream: the stream completes, new connections are refused, exit 0, usage recorded', async () => {
  const fake = await createFakeUpstream({ apiKeys: [ACCOUNT_KEY] });
  let relay: ChildRelay | undefined;
  try {
    const p = await prepare(fake);
    relay = await spawnRelayFromSource(p.dir, p.env);
    const child = relay;
    const words = Array.from({ length: 45 }, (_, i) => `word${i}`).join(' ');
    fake.enqueue({ kind: 'reply', text: words, usage: { input_tokens: 21, output_tokens: 45 }, stream: { delayMs: 50 } });
    const res = await startStream(relay.port, p.key);
    assert.equal(res.status, 200);
    let refused: Promise<string> = Promise.resolve('not tried');
    const body = await readAll(res, () => {
      child.child.kill('SIGTERM');
      // Give the process a moment to close its listener, then try a new connection while the stream still runs.
      refused = new Promise((r) => setTimeout(r, 300)).then(() => tryConnect(child.port));
    });
    assert.equal(body.error, null);
    assert.match(body.text, /event: message_stop/, 'the open stream ran to its end');
    assert.ok(body.text.includes('word44'));
    assert.equal(await refused, 'ECONNREFUSED', 'a new connection during shutdown is refused');
    assert.equal(await relay.exited, 0);

    const rows = await recordedRequests(p.env.DATA_DIR, p.keyId);
    assert.equal(rows.length, 1, 'the streamed request was recorded before exit');
    assert.equal(rows[0].status, 200);
    assert.equal(rows[0].partial, false);
    assert.equal(rows[0].usage.output, 45);

    const lines = logLines(p.env.DATA_DIR);
    const messages = lines.map((l) => l.msg);
    for (const m of ['relay listening', 'shutting down: no new connections; open requests may finish', 'relayed', 'stopped']) {
      assert.ok(messages.includes(m), `log file has "${m}": ${JSON.stringify(messages)}`);
    }
    assert.ok(
      !readFileSync(
        join(
          p.env.DATA_DIR,
          'logs',
          readdirSync(join(p.env.DATA_DIR, 'logs')).find((f) => f.startsWith('relay-'))!,
        ),
        'utf8',
      ).includes(p.key),
      'the relay key never reaches the log',
    );
  } finally {
    if (relay && relay.child.exitCode === null) relay.child.kill('SIGKILL');
    await fake.close();
  }
});

test('SIGTERM with a short SHUTDOWN_TIMEOUT_MS: the open stream is cut at the deadline, recorded as partial, exit 0', async () => {
  const fake = await createFakeUpstream({ apiKeys: [ACCOUNT_KEY] });
  let relay: ChildRelay | undefined;
  try {
    const p = await prepare(fake, { SHUTDOWN_TIMEOUT_MS: '400' });
    relay = await spawnRelayFromSource(p.dir, p.env);
    const child = relay;
    const words = Array.from({ length: 90 }, (_, i) => `w${i}`).join(' ');
    fake.enqueue({ kind: 'reply', text: words, stream: { delayMs: 100 } });
    const res = await startStream(relay.port, p.key);
    const started = Date.now();
    const body = await readAll(res, () => child.child.kill('SIGTERM'));
    assert.doesNotMatch(body.text, /event: message_stop/, 'the stream did not get to its end');
    assert.equal(await relay.exited, 0);
    assert.ok(Date.now() - started < 5000, 'exit soon after the deadline');
    const rows = await recordedRequests(p.env.DATA_DIR, p.keyId);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].partial, true);
    assert.ok(logLines(p.env.DATA_DIR).some((l) => l.msg === 'shutdown deadline passed; closing the connections still open'));
  } finally {
    if (relay && relay.child.exitCode === null) relay.child.kill('SIGKILL');
    await fake.close();
  }
});
