#!/usr/bin/env node
// Entry point: load config → build the relay → listen → drain on SIGTERM/SIGINT.
import { ConfigError, loadConfig } from './config/index.js';
import { resolveSecrets } from './config/secrets-file.js';
import { createRelay, VERSION } from './bootstrap.js';
import { createLogger } from './platform/logger.js';

const SHUTDOWN_DEADLINE_MS = 30_000;

async function main(): Promise<void> {
  let config;
  let warnings: string[];
  try {
    ({ config, warnings } = resolveSecrets(loadConfig()));
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`claude-relay-service: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const log = createLogger({ level: config.logLevel });
  for (const w of warnings) log.warn(w);
  const relay = await createRelay(config, { log });
  if (relay.admin.source === 'generated') {
    log.warn({ username: relay.admin.username, file: relay.admin.initFile }, 'first start: admin credentials written to init.json');
  }
  await relay.app.listen({ host: config.host, port: config.port });
  log.info({ version: VERSION, host: config.host, port: config.port, store: relay.store.kind, dataDir: config.dataDir }, 'relay listening');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: no new requests; open streams may finish');
    const force = setTimeout(() => {
      log.warn('shutdown deadline passed; exiting with requests still open');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    force.unref();
    relay
      .close()
      .then(() => {
        log.info('stopped');
        log.flush();
        process.exit(0);
      })
      .catch((e) => {
        log.error({ err: e }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((e) => {
  process.stderr.write(`claude-relay-service: failed to start: ${(e as Error).message}\n`);
  process.exit(1);
});
