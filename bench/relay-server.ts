// The relay as deployed (SQLite store, usage recording on), with one account pointing at the bench upstream
// and one relay key. Prints `READY <port> <key>`.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createRelay } from '../src/bootstrap.js';
import { loadConfig } from '../src/config/index.js';
import { resolveSecrets } from '../src/config/secrets-file.js';

const upstreamPort = Number(process.argv[2]);
const accounts = Number(process.argv[3] ?? 1);
const dataDir = mkdtempSync(join(tmpdir(), 'crs-bench-'));
const { config } = resolveSecrets(loadConfig({ env: { DATA_DIR: dataDir, LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info', NODE_ENV: 'production', JWT_SECRET: 'b'.repeat(40), ENCRYPTION_KEY: 'k'.repeat(32), ADMIN_USERNAME: 'bench', ADMIN_PASSWORD: 'bench-password' }, cwd: dataDir, envFile: null }));
const relay = await createRelay(config);
for (let i = 0; i < accounts; i++) {
  await relay.accounts.create({ kind: 'anthropic-api', name: `bench-${i}`, baseUrl: `http://127.0.0.1:${upstreamPort}`, secrets: { apiKey: `sk-ant-api03-bench-account-${i}` } });
}
await relay.accounts.create({ kind: 'openai-api', name: 'bench-openai', baseUrl: `http://127.0.0.1:${upstreamPort}/v1`, secrets: { apiKey: 'sk-bench-openai-account' } });
await relay.pool.reload();
const { key } = await relay.keys.create({ name: 'bench' });
await relay.app.listen({ host: '127.0.0.1', port: 0 });
process.stderr.write(`READY ${(relay.app.server.address() as AddressInfo).port} ${key}\n`);
// Exit cleanly on SIGTERM so --cpu-prof (BENCH_PROFILE) can write its profile.
process.on('SIGTERM', () => process.exit(0));
