#!/usr/bin/env node
// Entry point: load config → build the relay → listen → on SIGTERM/SIGINT stop accepting, let open requests
// (streams) finish up to SHUTDOWN_TIMEOUT_MS, cut what is left, record usage, exit.
import { ConfigError, loadConfig } from './config/index.js';
import { resolveSecrets } from './config/secrets-file.js';
import { createRelay, VERSION, type Relay } from './bootstrap.js';
import { createAppLogger, logSetupOptions, type AppLogger } from './platform/log-setup.js';

/** After the deadline has cut the open connections, this long for the rest (usage writes, store) before exit 1. */
const AFTER_DEADLINE_MS = 10_000;

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
  const logs = createAppLogger(logSetupOptions(config));
  const log = logs.log;
  for (const w of warnings) log.warn(w);
  const relay = await createRelay(config, { log });
  if (relay.admin.source === 'generated') {
    log.warn({ username: relay.admin.username, file: relay.admin.initFile }, 'first start: admin credentials written to init.json');
  } else if (relay.admin.envPasswordIgnored) {
    log.info(
      { username: relay.admin.username },
      'admin exists: ADMIN_PASSWORD only seeds the first start; the stored password is kept (reset it with: crs admin reset-password)',
    );
  }
  if (config.extraCaCerts && !config.extraCaCerts.inEffect) {
    log.warn(
      { file: config.extraCaCerts.file },
      'NODE_EXTRA_CA_CERTS is set in .env but not in the process environment, so Node did not load it: export it before starting (deploy.sh does)',
    );
  }
  await relay.app.listen({ host: config.host, port: config.port });
  if (relay.metricsApp && config.metricsBind) {
    await relay.metricsApp.listen(config.metricsBind);
    log.info({ host: config.metricsBind.host, port: config.metricsBind.port }, 'metrics listening');
  }
  log.info(
    { version: VERSION, host: config.host, port: config.port, store: relay.store.kind, dataDir: config.dataDir, logFile: logs.file(), pid: process.pid },
    'relay listening',
  );

  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) {
      // A second signal: do not wait for open streams any longer.
      log.warn({ signal }, 'second signal: closing open connections now');
      relay.app.server.closeAllConnections();
      return;
    }
    stopping = true;
    void shutdown(relay, logs, signal, config.shutdownTimeoutMs);
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
}

/** Stops accepting, waits for open requests up to `deadlineMs`, then cuts them; flushes usage and logs; exits. */
async function shutdown(relay: Relay, logs: AppLogger, signal: string, deadlineMs: number): Promise<void> {
  const { log } = logs;
  const server = relay.app.server;
  log.info({ signal, inFlight: relay.metrics.inFlight, deadlineMs }, 'shutting down: no new connections; open requests may finish');
  // A connection whose last response just ended sits idle on keep-alive; close such sockets as they appear so the
  // server can finish closing without waiting for the keep-alive timeout.
  const idleSweep = setInterval(() => server.closeIdleConnections(), 100);
  const deadline = setTimeout(() => {
    log.warn({ inFlight: relay.metrics.inFlight }, 'shutdown deadline passed; closing the connections still open');
    server.closeAllConnections();
    setTimeout(() => {
      log.error('shutdown did not complete after the deadline; exiting');
      logs.log.flush();
      process.exit(1);
    }, AFTER_DEADLINE_MS).unref();
  }, deadlineMs);
  try {
    // Closes the listener at once (new connections are refused), then waits for open requests; afterwards the
    // usage of every finished request is written and the store closed.
    await relay.close();
    clearTimeout(deadline);
    clearInterval(idleSweep);
    log.info('stopped');
    await logs.close();
    process.exit(0);
  } catch (e) {
    log.error({ err: e }, 'shutdown failed');
    await logs.close();
    process.exit(1);
  }
}

main().catch((e) => {
  process.stderr.write(`claude-relay-service: failed to start: ${(e as Error).message}\n`);
  process.exit(1);
});
