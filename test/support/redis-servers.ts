// Real redis-server processes of a test's own, on free ports in temporary folders: a plain server (stopped, killed,
// paused and restarted by fault tests), a Sentinel set (master, replica, sentinel) and a small Cluster (three
// masters). Never touches the shared Redis at 6379. Without the redis-server binary, tests skip with a visible
// reason, unless CRS_REQUIRE_REDIS=1 (set by .ci/run), which makes that a failure.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

function which(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Null when redis-server (and redis-cli) can be started here, else the reason to skip. Throws when they are required. */
export function redisServerSkipReason(): string | null {
  const missing = ['redis-server', 'redis-cli'].filter((c) => !which(c));
  if (missing.length === 0) return null;
  const reason = `${missing.join(' and ')} not installed; tests that start their own Redis skipped`;
  if (process.env.CRS_REQUIRE_REDIS === '1') throw new Error(`CRS_REQUIRE_REDIS=1 but ${reason}`);
  process.stderr.write(`\n*** ${reason} ***\n`);
  return reason;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves once a PING on the port answers PONG (or throws after `timeoutMs`). */
export async function waitForPing(port: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = new Redis({
      port,
      host: '127.0.0.1',
      lazyConnect: true,
      enableOfflineQueue: false,
      retryStrategy: () => null,
      connectTimeout: 500,
      maxRetriesPerRequest: 0,
    });
    try {
      await r.connect();
      if ((await r.ping()) === 'PONG') return;
    } catch {
      // not yet
    } finally {
      r.disconnect();
    }
    if (Date.now() > deadline) throw new Error(`redis on port ${port} did not answer within ${timeoutMs} ms`);
    await sleep(50);
  }
}

export interface RedisProcess {
  port: number;
  url: string;
  dir: string;
  child: ChildProcess;
  /** SIGKILL, and wait for the exit. */
  kill(): Promise<void>;
  /** Starts it again on the same port and folder (data comes back from its append-only file when enabled). */
  restart(): Promise<void>;
  /** SIGSTOP / SIGCONT: the process holds its connections but answers nothing (a hung server or a partition). */
  pause(): void;
  resume(): void;
  /** Stops it and removes its folder. */
  close(): Promise<void>;
}

export interface RedisServerOptions {
  /** Keep data across restarts: append-only file, fsync on every write. */
  persistent?: boolean;
  /** Extra arguments (e.g. ['--cluster-enabled', 'yes']). */
  args?: string[];
  /** Run as a sentinel with this config file (written by the caller; the sentinel rewrites it). */
  sentinelConfig?: string;
  port?: number;
  dir?: string;
}

function exitOf(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

export async function startRedisServer(opts: RedisServerOptions = {}): Promise<RedisProcess> {
  const port = opts.port ?? (await freePort());
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'crs-redis-'));
  const args = opts.sentinelConfig
    ? [opts.sentinelConfig, '--sentinel', '--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'no']
    : [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        ...(opts.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
        '--protected-mode',
        'no',
        ...(opts.args ?? []),
      ];
  const launch = () => spawn('redis-server', args, { stdio: 'ignore' });
  const proc: RedisProcess = {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    child: launch(),
    async kill() {
      proc.child.kill('SIGCONT');
      proc.child.kill('SIGKILL');
      await exitOf(proc.child);
    },
    async restart() {
      proc.child = launch();
      await waitForPing(port);
    },
    pause() {
      proc.child.kill('SIGSTOP');
    },
    resume() {
      proc.child.kill('SIGCONT');
    },
    async close() {
      await proc.kill();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  await waitForPing(port);
  return proc;
}

export interface SentinelSet {
  master: RedisProcess;
  replica: RedisProcess;
  sentinel: RedisProcess;
  name: string;
  /** `127.0.0.1:<port>` of the sentinel, as REDIS_SENTINELS takes it. */
  sentinels: string;
  /** The master's port as the sentinel reports it now. */
  masterPort(): Promise<number>;
  close(): Promise<void>;
}

/** A master, one replica and one sentinel (quorum 1) watching them. Ready in about a second. */
export async function startSentinelSet(name = 'crs-test'): Promise<SentinelSet> {
  const master = await startRedisServer();
  const replica = await startRedisServer({ args: ['--replicaof', '127.0.0.1', String(master.port)] });
  const dir = mkdtempSync(join(tmpdir(), 'crs-sentinel-'));
  const conf = join(dir, 'sentinel.conf');
  writeFileSync(
    conf,
    [
      `sentinel monitor ${name} 127.0.0.1 ${master.port} 1`,
      `sentinel down-after-milliseconds ${name} 1000`,
      `sentinel failover-timeout ${name} 5000`,
      `sentinel parallel-syncs ${name} 1`,
      '',
    ].join('\n'),
  );
  const sentinel = await startRedisServer({ dir, sentinelConfig: conf }).catch(async (e) => {
    await Promise.all([master.close(), replica.close()]);
    throw e;
  });
  const port = sentinel.port;
  const ask = async (): Promise<number> => {
    const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null });
    await r.connect();
    try {
      const [, p] = (await r.call('SENTINEL', 'get-master-addr-by-name', name)) as [string, string];
      return Number(p);
    } finally {
      r.disconnect();
    }
  };
  // Wait until the replica is in sync, so a failover has somewhere to go.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const r = new Redis({ port: replica.port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null });
    await r.connect();
    const info = await r.info('replication');
    r.disconnect();
    if (/master_link_status:up/.test(info)) break;
    if (Date.now() > deadline) throw new Error('replica did not sync');
    await sleep(50);
  }
  return {
    master,
    replica,
    sentinel,
    name,
    sentinels: `127.0.0.1:${port}`,
    masterPort: ask,
    async close() {
      await Promise.all([sentinel.close(), master.close(), replica.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RedisCluster {
  nodes: RedisProcess[];
  /** `127.0.0.1:<port>,…` as REDIS_CLUSTER_NODES takes it. */
  seeds: string;
  close(): Promise<void>;
}

/** Three masters (no replicas) with the slots shared out by `redis-cli --cluster create`. A few seconds. */
export async function startRedisCluster(): Promise<RedisCluster> {
  const nodes: RedisProcess[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      nodes.push(await startRedisServer({ args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000'] }));
    }
    const addrs = nodes.map((n) => `127.0.0.1:${n.port}`);
    const r = spawnSync('redis-cli', ['--cluster', 'create', ...addrs, '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) throw new Error(`redis-cli --cluster create failed: ${r.stdout}\n${r.stderr}`);
    // Wait until every node agrees the cluster is up.
    const deadline = Date.now() + 15_000;
    for (const n of nodes) {
      for (;;) {
        const c = new Redis({ port: n.port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null });
        await c.connect();
        const info = (await c.call('CLUSTER', 'INFO')) as string;
        c.disconnect();
        if (/cluster_state:ok/.test(info)) break;
        if (Date.now() > deadline) throw new Error(`cluster node ${n.port} not ok: ${info}`);
        await sleep(100);
      }
    }
    return { nodes, seeds: addrs.join(','), close: async () => void (await Promise.all(nodes.map((n) => n.close()))) };
  } catch (e) {
    await Promise.all(nodes.map((n) => n.close()));
    throw e;
  }
}
