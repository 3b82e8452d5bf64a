// Redis Sentinel and Cluster, with real servers of the test's own on free ports: the relay finds the master through
// a sentinel and follows a failover; on a three-master Cluster it serves with limits, sticky sessions and usage
// (every key in one hash slot through the prefix's hash tag), and backup/restore and key scans read every master.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Cluster, Redis } from 'ioredis';
import { loadConfig } from '../../src/config/index.js';
import { createRedisClient, scanKeys } from '../../src/store/redis/connection.js';
import { backupStore, restoreStore } from '../../src/store/backup.js';
import { createFakeUpstream, type FakeUpstream } from '../support/fake-upstream/index.js';
import { startRelay, type TestRelay } from '../support/harness.js';
import { sendMessage, sleep } from '../support/load.js';
import { redisServerSkipReason, startRedisCluster, startSentinelSet, type RedisCluster, type SentinelSet } from '../support/redis-servers.js';

const skip = redisServerSkipReason();
const SECRETS = { ENCRYPTION_KEY: 'e'.repeat(32), JWT_SECRET: 'j'.repeat(40) };

async function waitUsage(relay: TestRelay, keyId: string, requests: number) {
  for (const until = Date.now() + 5000; ;) {
    await relay.relay.recorder.drain();
    const r = await relay.admin('GET', `/usage?keyId=${keyId}&granularity=day`);
    if (r.json?.totals?.requests >= requests || Date.now() > until) return r.json.totals;
    await sleep(50);
  }
}

describe('configuration of Sentinel and Cluster', () => {
  const load = (env: Record<string, string>) => loadConfig({ env: { ...env }, cwd: tmpdir(), envFile: null });

  test('REDIS_SENTINELS and REDIS_CLUSTER_NODES select the topology; Cluster takes a hash-tagged prefix', () => {
    const s = load({ REDIS_SENTINELS: '10.0.0.1:26379, 10.0.0.2:26379', REDIS_SENTINEL_NAME: 'relay', REDIS_PASSWORD: 'pw' }).redis!;
    assert.deepEqual(s.sentinels, [
      { host: '10.0.0.1', port: 26379 },
      { host: '10.0.0.2', port: 26379 },
    ]);
    assert.equal(s.sentinelName, 'relay');
    assert.equal(s.keyPrefix, 'crs:');
    const c = load({ REDIS_CLUSTER_NODES: '10.0.0.1:7000,[fd00::1]:7001' }).redis!;
    assert.deepEqual(c.clusterNodes, [
      { host: '10.0.0.1', port: 7000 },
      { host: 'fd00::1', port: 7001 },
    ]);
    assert.equal(c.keyPrefix, '{crs}:', 'the default prefix on Cluster is a hash tag');
    assert.equal(load({ REDIS_CLUSTER_NODES: '10.0.0.1:7000', REDIS_KEY_PREFIX: 'x{relay}:' }).redis!.keyPrefix, 'x{relay}:');
  });

  test('wrong combinations are refused at start with a clear message', () => {
    const problems = (env: Record<string, string>) => {
      try {
        load(env);
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    };
    assert.match(problems({ REDIS_CLUSTER_NODES: '10.0.0.1:7000', REDIS_KEY_PREFIX: 'crs:' }), /REDIS_KEY_PREFIX: on Redis Cluster it must hold a hash tag/);
    assert.match(problems({ REDIS_CLUSTER_NODES: '10.0.0.1:7000', REDIS_KEY_PREFIX: '{}crs:' }), /hash tag/);
    assert.match(problems({ REDIS_CLUSTER_NODES: '10.0.0.1:7000', REDIS_DB: '2' }), /REDIS_DB: must be 0 on Redis Cluster/);
    assert.match(problems({ REDIS_CLUSTER_NODES: '10.0.0.1:7000', REDIS_SENTINELS: '10.0.0.1:26379' }), /not both/);
    assert.match(problems({ REDIS_SENTINELS: 'nohostport' }), /REDIS_SENTINELS: must be host:port/);
  });
});

describe('Redis Sentinel', { skip: skip ?? false }, () => {
  let set: SentinelSet;
  let fake: FakeUpstream;
  let relay: TestRelay;

  before(async () => {
    set = await startSentinelSet();
    fake = await createFakeUpstream();
    fake.setDefault({ kind: 'reply', usage: { input_tokens: 9, output_tokens: 4 } });
    relay = await startRelay({
      env: { REDIS_SENTINELS: set.sentinels, REDIS_SENTINEL_NAME: set.name, REDIS_KEY_PREFIX: 'crs-sentinel:', REDIS_COMMAND_TIMEOUT_MS: '3000', ...SECRETS },
      // (3 s: short enough to follow the failover quickly, long enough for a loaded 2-core CI machine.)
    });
    await relay.addAccount(fake.url);
  });
  after(async () => {
    await relay?.close().catch(() => {});
    await fake?.close();
    await set?.close();
  });

  test('the relay reaches the master through the sentinel, and follows a failover to the replica', async () => {
    assert.equal(relay.relay.store.kind, 'redis');
    const key = await relay.createKey({ name: 'sentinel', concurrencyLimit: 5 });
    assert.equal((await sendMessage(relay.url, { key: key.key })).kind, 'ok');
    assert.equal((await waitUsage(relay, key.id, 1)).requests, 1);
    assert.equal(await set.masterPort(), set.master.port);

    // Promote the replica (the sentinel reconfigures both servers); the relay moves to it by itself.
    const s = new Redis({ port: set.sentinel.port, host: '127.0.0.1', lazyConnect: true });
    await s.connect();
    await s.call('SENTINEL', 'FAILOVER', set.name);
    s.disconnect();
    for (const until = Date.now() + 10_000; (await set.masterPort()) !== set.replica.port;) {
      assert.ok(Date.now() < until, 'the sentinel promoted the replica');
      await sleep(100);
    }
    // Until the sentinel has turned the old master into a replica of the new one, it still accepts writes, and it
    // drops them when it resyncs: Redis's asynchronous replication loses that window whatever the client does. Wait
    // for the reconfiguration, so every write below lands on a master that keeps it.
    for (const until = Date.now() + 15_000; !(await followsMaster(set.master.port, set.replica.port));) {
      assert.ok(Date.now() < until, 'the sentinel made the old master a replica of the new one');
      await sleep(100);
    }
    let served = 0;
    const statuses: number[] = [];
    for (const until = Date.now() + 10_000; served < 3 && Date.now() < until;) {
      const o = await sendMessage(relay.url, { key: key.key, text: `after failover ${served}` });
      statuses.push(o.status);
      if (o.kind === 'ok') served++;
      else {
        assert.ok(o.status === 503, `during the switch only 503s: ${o.status} ${o.body.slice(0, 200)}`);
        await sleep(100);
      }
    }
    assert.equal(served, 3, `served again after the failover (${statuses.join(',')})`);
    // The data written before the failover is on the new master, and the new requests counted there (a request
    // refused with 503 during the switch may be in the log too, with its status).
    // A usage write caught by the switch is retried after a second.
    let rows = await relay.relay.store.usage.recentRequests(100, { keyId: key.id });
    for (const until = Date.now() + 8000; rows.filter((r) => r.status === 200).length < 4 && Date.now() < until;) {
      await sleep(100);
      await relay.relay.recorder.drain();
      rows = await relay.relay.store.usage.recentRequests(100, { keyId: key.id });
    }
    assert.equal(rows.filter((r) => r.status === 200).length, 4, 'the 4 answered requests are recorded');
    assert.equal(new Set(rows.map((r) => r.requestId)).size, rows.length, 'none twice');
    const direct = new Redis({ port: set.replica.port, host: '127.0.0.1', lazyConnect: true });
    await direct.connect();
    assert.match(await direct.info('replication'), /role:master/);
    assert.ok((await direct.exists(`crs-sentinel:key:${key.id}`)) === 1, 'the key record is on the new master');
    direct.disconnect();
  });
});

describe('Redis Cluster', { skip: skip ?? false }, () => {
  let cluster: RedisCluster;
  let fake: FakeUpstream;
  let relay: TestRelay;
  const prefix = '{crs-cluster}:';

  before(async () => {
    cluster = await startRedisCluster();
    fake = await createFakeUpstream();
    fake.setDefault({ kind: 'reply', usage: { input_tokens: 21, output_tokens: 8, cache_read_input_tokens: 3 } });
    relay = await startRelay({ env: { REDIS_CLUSTER_NODES: cluster.seeds, REDIS_KEY_PREFIX: prefix, ...SECRETS } });
    await relay.addAccount(fake.url);
    await relay.addAccount(fake.url, { name: 'second' });
  });
  after(async () => {
    await relay?.close().catch(() => {});
    await fake?.close();
    await cluster?.close();
  });

  test('the relay serves on a Cluster: admission scripts, sticky sessions, usage, pub/sub', async () => {
    const key = await relay.createKey({ name: 'cluster', concurrencyLimit: 2, rateLimitWindow: 1, rateLimitRequests: 4, dailyCostLimit: 100 });
    const outcomes = [];
    for (let i = 0; i < 6; i++) outcomes.push(await sendMessage(relay.url, { key: key.key, stream: i % 2 === 0, session: 'cluster-session' }));
    assert.deepEqual(
      outcomes.map((o) => o.status),
      [200, 200, 200, 200, 429, 429],
      'the window holds on Cluster',
    );
    const totals = await waitUsage(relay, key.id, 4);
    assert.equal(totals.requests, 4);
    assert.equal(totals.input, 4 * 21);
    assert.equal(totals.output, 4 * 8);
    assert.equal(totals.cacheRead, 4 * 3);
    // Sticky: the one conversation stayed on one account.
    assert.equal(new Set(fake.requests.map((r) => r.headers['x-api-key'])).size, 1);
    // A change is seen through pub/sub (here: the key disabled is refused).
    await relay.admin('PATCH', `/api-keys/${key.id}`, { isActive: false });
    assert.equal((await sendMessage(relay.url, { key: key.key })).status, 401);
    // The relay's keys all live in the prefix's slot.
    const c = createRedisClient({ clusterNodes: [{ host: '127.0.0.1', port: cluster.nodes[0].port }] }, { lazyConnect: true }) as Cluster;
    await c.connect();
    const slots = new Set<number>();
    await scanKeys(c, `${prefix}*`, 100, async (keys) => {
      for (const k of keys) slots.add(Number(await c.call('CLUSTER', 'KEYSLOT', k)));
    }).finally(() => c.disconnect());
    assert.equal(slots.size, 1, 'one slot');
  });

  test('key scans read every master: keys spread over all slots are all found', async () => {
    const c = createRedisClient({ clusterNodes: [{ host: '127.0.0.1', port: cluster.nodes[0].port }] }, { lazyConnect: true }) as Cluster;
    await c.connect();
    try {
      const names = Array.from({ length: 60 }, (_, i) => `scanprobe:${i}`);
      for (const n of names) await c.set(n, '1');
      const perNode = await Promise.all(c.nodes('master').map((n) => n.dbsize()));
      assert.ok(perNode.filter((x) => x > 0).length >= 2, `the probe keys are spread over several masters (${perNode.join(',')})`);
      const found: string[] = [];
      await scanKeys(c, 'scanprobe:*', 7, async (keys) => void found.push(...keys));
      assert.deepEqual(found.sort(), [...names].sort());
      for (const n of names) await c.del(n);
    } finally {
      c.disconnect();
    }
  });

  test('crs backup and restore on a Cluster: every key written, restored under another prefix, identical', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crs-cluster-backup-'));
    const c = createRedisClient({ clusterNodes: [{ host: '127.0.0.1', port: cluster.nodes[0].port }] }, { lazyConnect: true }) as Cluster;
    await c.connect();
    try {
      const cfg = loadConfig({ env: { REDIS_CLUSTER_NODES: cluster.seeds, REDIS_KEY_PREFIX: prefix, DATA_DIR: dir }, cwd: dir, envFile: null });
      const file = join(dir, 'backup.jsonl');
      const b = await backupStore(cfg, file, Date.now());
      let live = 0;
      await scanKeys(c, `${prefix}*`, 100, async (keys) => void (live += keys.length));
      assert.ok(b.keys! > 10 && Math.abs(b.keys! - live) <= 2, `backup holds every key (${b.keys} of ${live})`);
      const lines = readFileSync(file, 'utf8').trim().split('\n');
      assert.equal(lines.length, b.keys! + 1);

      const other = '{crs-restored}:';
      const cfg2 = loadConfig({ env: { REDIS_CLUSTER_NODES: cluster.seeds, REDIS_KEY_PREFIX: other, DATA_DIR: dir }, cwd: dir, envFile: null });
      const r = await restoreStore(cfg2, file, { force: false, now: Date.now() });
      assert.equal(r.keys, b.keys);
      // Same content under the new prefix: back it up again and compare the entries (TTLs aside).
      const file2 = join(dir, 'backup2.jsonl');
      await backupStore(cfg2, file2, Date.now());
      // TTLs aside, and hash fields in any order (Redis keeps no order for them).
      const entries = (f: string) =>
        readFileSync(f, 'utf8')
          .trim()
          .split('\n')
          .slice(1)
          .map((l) => {
            const { ttl: _ttl, ...rest } = JSON.parse(l);
            if (rest.t === 'hash') rest.v = Object.fromEntries(Object.entries(rest.v).sort(([a], [b]) => a.localeCompare(b)));
            return JSON.stringify(rest);
          })
          .sort();
      assert.deepEqual(entries(file2), entries(file));
      // And a restore into a non-empty prefix is refused without --force.
      await assert.rejects(restoreStore(cfg2, file, { force: false, now: Date.now() }), /already holds keys/);
      await scanKeys(c, `${other}*`, 100, async (keys) => void (await c.del(...keys)));
    } finally {
      c.disconnect();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Whether the server on `port` is now a replica of the master on `masterPort`. */
async function followsMaster(port: number, masterPort: number): Promise<boolean> {
  const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null });
  try {
    await r.connect();
    const info = await r.info('replication');
    return /role:slave/.test(info) && new RegExp(`master_port:${masterPort}\\b`).test(info);
  } catch {
    // While the sentinel reconfigures a server it closes that server's client connections (CLIENT KILL): not yet.
    return false;
  } finally {
    r.disconnect();
  }
}
