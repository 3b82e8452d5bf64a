// Starts a real relay on port 0 with a temporary DATA_DIR (SQLite by default, or a given Redis prefix),
// and drives its admin API over HTTP the way an operator would.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createRelay, type Relay } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config/index.js';
import { resolveSecrets } from '../../src/config/secrets-file.js';
import type { Clock } from '../../src/core/clock.js';
import { checkResponses } from '../../src/http/admin/route.js';
import { silentLogger, type Logger } from '../../src/platform/logger.js';
import type { Store } from '../../src/store/types.js';
import type { UsageEvent } from '../../src/core/usage-event.js';

checkResponses(true);

export const ADMIN = { username: 'admin', password: 'test-password-123' };

export interface TestRelay {
  relay: Relay;
  url: string;
  dataDir: string;
  adminToken: string;
  /** Logs in again (a session that expired on a test clock); admin() and adminToken use the new session. */
  login(): Promise<void>;
  /** fetch against the admin API with the session token. */
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; json: any; headers: Headers }>;
  createKey(body?: Record<string, unknown>): Promise<{ id: string; key: string }>;
  addAccount(baseUrl: string, body?: Record<string, unknown>): Promise<{ id: string }>;
  /**
   * Waits until `count` requests of a key are recorded (the client can see an answer end a moment before the
   * relay records it) and returns them, newest first.
   */
  recorded(keyId: string, count?: number): Promise<UsageEvent[]>;
  close(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  store?: Store;
  clock?: Clock;
  log?: Logger;
}

export async function startRelay(opts: StartOptions = {}): Promise<TestRelay> {
  const dataDir = mkdtempSync(join(tmpdir(), 'crs-relay-'));
  const env = {
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: 'silent',
    TIMEZONE_OFFSET: '8',
    // Admin password hashes at scrypt's former cost: the OWASP default (N=2^17) takes ~0.7 s per hash, and every
    // test relay hashes and checks one. test/security covers the default.
    ADMIN_SCRYPT_N: '16384',
    ...opts.env,
  };
  const { config } = resolveSecrets(loadConfig({ env, cwd: dataDir, envFile: null }));
  const relay = await createRelay(config, { log: opts.log ?? silentLogger(), store: opts.store, clock: opts.clock });
  await relay.app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(relay.app.server.address() as AddressInfo).port}`;

  const login = async () => {
    const res = await fetch(`${url}/web/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    });
    return ((await res.json()) as { token: string }).token;
  };
  let adminToken = await login();

  const admin: TestRelay['admin'] = async (method, path, body) => {
    const res = await fetch(`${url}/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null, headers: res.headers };
  };

  return {
    relay,
    url,
    dataDir,
    get adminToken() {
      return adminToken;
    },
    async login() {
      adminToken = await login();
    },
    admin,
    async createKey(body = {}) {
      const r = await admin('POST', '/api-keys', { name: 'test key', ...body });
      if (r.status !== 201) throw new Error(`create key failed: ${r.status} ${JSON.stringify(r.json)}`);
      return r.json;
    },
    async addAccount(baseUrl, body = {}) {
      const r = await admin('POST', '/accounts', { kind: 'anthropic-api', name: 'fake', apiKey: 'sk-ant-api03-test', baseUrl, ...body });
      if (r.status !== 201) throw new Error(`add account failed: ${r.status} ${JSON.stringify(r.json)}`);
      // the pool reloads on the change event; make sure it has before the test relays through it
      await relay.pool.reload();
      return r.json;
    },
    async recorded(keyId, count = 1) {
      const deadline = Date.now() + 3000;
      for (;;) {
        await relay.recorder.drain();
        const rows = await relay.store.usage.recentRequests(Math.max(50, count), { keyId });
        if (rows.length >= count || Date.now() > deadline) return rows;
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async close() {
      await relay.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Two relay instances sharing one Redis (a fresh key prefix), as several processes would in production. */
export interface RelayPair {
  a: TestRelay;
  b: TestRelay;
  close(): Promise<void>;
}

export async function startRelayPair(env: Record<string, string> = {}): Promise<RelayPair> {
  const { TEST_REDIS_URL, dropPrefix, testPrefix } = await import('./redis.js');
  const prefix = testPrefix();
  const shared = { REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix, ENCRYPTION_KEY: 'e'.repeat(32), JWT_SECRET: 'j'.repeat(40), ...env };
  const a = await startRelay({ env: shared });
  const b = await startRelay({ env: shared });
  return {
    a,
    b,
    async close() {
      await a.close();
      await b.close();
      await dropPrefix(prefix);
    },
  };
}

/** A port nothing listens on (for "upstream unreachable" cases). */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}
