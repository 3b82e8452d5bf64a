// Several real relay processes (src/main.ts through tsx, as test/ops starts one) sharing one store, with an
// in-test Core on the same store to seed keys and accounts and to read what the relays wrote, and a round-robin
// base URL for clients.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createCore, type Core } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config/index.js';
import { resolveSecrets } from '../../src/config/secrets-file.js';
import { silentLogger } from '../../src/platform/logger.js';
import { spawn } from 'node:child_process';
import { freePort, healthOf, ROOT, tempDir, type ChildRelay } from '../ops/support.js';

/**
 * Starts `src/main.ts` (through tsx) with `env` in `cwd` and waits until /health answers 200. Like test/ops's
 * spawnRelayFromSource, with a longer wait: several processes compiling through tsx at once on a shared 2-core
 * machine can take tens of seconds.
 */
export async function spawnRelay(cwd: string, env: Record<string, string>, timeoutMs = 90_000): Promise<ChildRelay> {
  const port = Number(env.PORT);
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'src', 'main.ts')], {
    cwd,
    env: { ...process.env, REDIS_URL: '', REDIS_HOST: '', NODE_TEST_CONTEXT: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`relay exited during start (${child.exitCode}):\n${out}`);
    if ((await healthOf(port).catch(() => undefined))?.status === 200) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`relay did not answer /health within ${timeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, port, stdout: () => out, exited };
}

export const PROC_ADMIN = { username: 'admin', password: 'scale-test-password' };

export interface RelayProcs {
  procs: ChildRelay[];
  urls: string[];
  /** The next instance's base URL, round robin. */
  next(): string;
  /** The Core the test seeds and reads through (same store, same secrets). */
  core: Core;
  /** An admin bearer token (sessions live in the shared store, so it works on every instance). */
  adminToken: string;
  admin(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
  /** Everything the processes printed (LOG_STDOUT is off; start-up failures and warnings land here). */
  output(): string;
  close(): Promise<void>;
}

/** Starts `n` relays with `env` (a store: REDIS_URL + REDIS_KEY_PREFIX, or one shared DATA_DIR for SQLite). */
export async function startRelayProcs(n: number, env: Record<string, string>, seed?: (core: Core) => Promise<void>): Promise<RelayProcs> {
  const root = tempDir('crs-procs-');
  const common = {
    NODE_ENV: 'production',
    BIND_HOST: '127.0.0.1',
    JWT_SECRET: 'j'.repeat(48),
    ENCRYPTION_KEY: 'e'.repeat(32),
    ADMIN_USERNAME: PROC_ADMIN.username,
    ADMIN_PASSWORD: PROC_ADMIN.password,
    ADMIN_SCRYPT_N: '16384',
    LOG_LEVEL: 'warn',
    LOG_STDOUT: 'false',
    TIMEZONE_OFFSET: '8',
    ...env,
  };
  const coreDir = join(root, 'core');
  mkdirSync(coreDir, { recursive: true });
  const { config } = resolveSecrets(loadConfig({ env: { DATA_DIR: join(coreDir, 'data'), ...common }, cwd: coreDir, envFile: null }));
  const core = await createCore(config, { log: silentLogger() });
  if (seed) await seed(core);
  const procs: ChildRelay[] = [];
  try {
    const started = await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const dir = join(root, `relay-${i}`);
        mkdirSync(dir, { recursive: true });
        const port = await freePort();
        return spawnRelay(dir, { DATA_DIR: join(dir, 'data'), PORT: String(port), ...common });
      }),
    );
    procs.push(...started);
  } catch (e) {
    await core.close();
    throw e;
  }
  const urls = procs.map((p) => `http://127.0.0.1:${p.port}`);
  const login = await fetch(`${urls[0]}/web/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(PROC_ADMIN) });
  const adminToken = ((await login.json()) as { token: string }).token;
  let i = 0;
  return {
    procs,
    urls,
    core,
    adminToken,
    next: () => urls[i++ % urls.length],
    async admin(url, method, path, body) {
      const res = await fetch(`${url}/admin${path}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : null };
    },
    output: () => procs.map((p, k) => `--- relay ${k} ---\n${p.stdout()}`).join('\n'),
    async close() {
      for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGTERM');
      await Promise.all(procs.map((p) => Promise.race([p.exited, new Promise((r) => setTimeout(r, 5000))])));
      for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
      await core.close();
    },
  };
}
