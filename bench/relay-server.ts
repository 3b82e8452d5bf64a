// The relay as deployed (SQLite store, or Redis with BENCH_REDIS_URL; usage recording on). Two steps, two processes:
// `seed <dataDir> <upstreamPort> <accounts> <keys>` fills the store (accounts, extra keys, the bench key) and prints
// `READY <key>`; `serve <dataDir>` starts a fresh relay on that store and prints `READY <port> <startup ms>`, so
// start-up and memory are measured on a process that did nothing else.
import type { AddressInfo } from 'node:net';
import { createRelay } from '../src/bootstrap.js';
import { loadConfig } from '../src/config/index.js';
import { resolveSecrets } from '../src/config/secrets-file.js';
import { createAppLogger, logSetupOptions } from '../src/platform/log-setup.js';

const t0 = performance.now();
const [mode, dataDir, upstreamPort, accounts = '1', keys = '1'] = process.argv.slice(2);
const redis = process.env.BENCH_REDIS_URL ? { REDIS_URL: process.env.BENCH_REDIS_URL, REDIS_KEY_PREFIX: 'bench:' } : {};
const env = {
  ...redis,
  DATA_DIR: dataDir,
  LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
  NODE_ENV: 'production',
  JWT_SECRET: 'b'.repeat(40),
  ENCRYPTION_KEY: 'k'.repeat(32),
};
const { config } = resolveSecrets(loadConfig({ env, cwd: dataDir, envFile: null }));
// Logs go where the deployed relay sends them (main.ts): the daily file under DATA_DIR/logs and stdout (not a terminal).
const logs = createAppLogger({ ...logSetupOptions(config), pretty: false });
const relay = await createRelay(config, { log: logs.log });
if (mode === 'seed') {
  for (let i = 0; i < Number(accounts); i++) {
    await relay.accounts.create({
      kind: 'anthropic-api',
      name: `bench-${i}`,
      baseUrl: `http://127.0.0.1:${upstreamPort}`,
      secrets: { apiKey: `sk-ant-api03-bench-account-${i}` },
    });
  }
  await relay.accounts.create({
    kind: 'openai-api',
    name: 'bench-openai',
    baseUrl: `http://127.0.0.1:${upstreamPort}/v1`,
    secrets: { apiKey: 'sk-bench-openai-account' },
  });
  for (let i = 1; i < Number(keys); i++) await relay.keys.create({ name: `bench-extra-${i}` });
  const { key } = await relay.keys.create({ name: 'bench' });
  await relay.close();
  process.stderr.write(`READY ${key}\n`);
  process.exit(0);
}
await relay.app.listen({ host: '127.0.0.1', port: 0 });
process.stderr.write(`READY ${(relay.app.server.address() as AddressInfo).port} ${Math.round(performance.now() - t0)}\n`);
// Exit cleanly on SIGTERM so --cpu-prof (BENCH_PROFILE) can write its profile.
process.on('SIGTERM', () => process.exit(0));
