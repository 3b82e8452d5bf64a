// The relay as deployed (SQLite store, usage recording on), with one account pointing at the bench upstream
// and one relay key. Prints `READY <port> <key>`.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createRelay } from '../src/bootstrap.js';
import { loadConfig } from '../src/config/index.js';
import { resolveSecrets } from '../src/config/secrets-file.js';

const startedAt = performance.now();
const upstreamPort = Number(process.argv[2]);
const accounts = Number(process.argv[3] ?? 1);
const keys = Number(process.argv[4] ?? 1);
const dataDir = mkdtempSync(join(tmpdir(), 'crs-bench-'));
const redis = process.env.BENCH_REDIS_URL ? { REDIS_URL: process.env.BENCH_REDIS_URL, REDIS_KEY_PREFIX: `bench${process.pid}:` } : {};
const { config } = resolveSecrets(loadConfig({ env: { ...redis, DATA_DIR: dataDir, LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info', NODE_ENV: 'production', JWT_SECRET: 'b'.repeat(40), ENCRYPTION_KEY: 'k'.repeat(32), ADMIN_USERNAME: 'bench', ADMIN_PASSWORD: 'bench-password' }, cwd: dataDir, envFile: null }));
// Seed the store (accounts, extra keys) with one relay, then measure a fresh one's start-up on the seeded store.
const seeder = await createRelay(config);
for (let i = 0; i < accounts; i++) {
  await seeder.accounts.create({ kind: 'anthropic-api', name: `bench-${i}`, baseUrl: `http://127.0.0.1:${upstreamPort}`, secrets: { apiKey: `sk-ant-api03-bench-account-${i}` } });
}
await seeder.accounts.create({ kind: 'openai-api', name: 'bench-openai', baseUrl: `http://127.0.0.1:${upstreamPort}/v1`, secrets: { apiKey: 'sk-bench-openai-account' } });
for (let i = 1; i < keys; i++) await seeder.keys.create({ name: `bench-extra-${i}` });
const { key } = await seeder.keys.create({ name: 'bench' });
await seeder.close();
const seededAt = performance.now();
const relay = await createRelay(config);
await relay.app.listen({ host: '127.0.0.1', port: 0 });
const startupMs = Math.round(performance.now() - seededAt);
process.stderr.write(`READY ${(relay.app.server.address() as AddressInfo).port} ${key} ${startupMs}\n`);
void startedAt;
// Exit cleanly on SIGTERM so --cpu-prof (BENCH_PROFILE) can write its profile.
process.on('SIGTERM', () => process.exit(0));
