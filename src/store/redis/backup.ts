// Backup and restore of the Redis store: every key under the relay's prefix, written as JSON lines (one header,
// then one key per line with its type, remaining TTL and value). Portable across Redis versions (no DUMP payloads);
// the prefix is stripped, so a backup restores under another prefix too.
import type { Redis } from 'ioredis';
import { createReadStream, createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { RelayError } from '../../core/errors.js';
import type { RedisConfig } from '../../config/index.js';
import { createRedisClient, scanKeys, type RedisClient } from './connection.js';

export const REDIS_BACKUP_FORMAT = 'crs-backup';
const BATCH = 200;

interface Header {
  format: typeof REDIS_BACKUP_FORMAT;
  version: 1;
  store: 'redis';
  prefix: string;
  createdAt: string;
}

type Value = string | string[] | Record<string, string> | [string, string][];

interface Entry {
  /** Key without the prefix. */
  k: string;
  t: 'string' | 'hash' | 'set' | 'zset' | 'list';
  /** Remaining time to live in ms; null = none. */
  ttl: number | null;
  v: Value;
}

async function connect(cfg: RedisConfig): Promise<RedisClient> {
  const r = createRedisClient(cfg, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 5000, retryStrategy: () => null });
  try {
    await r.connect();
  } catch (e) {
    r.disconnect();
    throw new RelayError('STORE_UNAVAILABLE', `Cannot connect to Redis: ${(e as Error).message}`, { cause: e });
  }
  return r;
}

/** Calls `fn` with batches of keys under the prefix (SCAN, never KEYS; every master of a Cluster). */
async function scanPrefix(r: RedisClient, prefix: string, fn: (keys: string[]) => Promise<void>): Promise<void> {
  await scanKeys(r, `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, BATCH, fn);
}

async function readEntries(r: RedisClient, prefix: string, keys: string[]): Promise<Entry[]> {
  const meta = r.pipeline();
  for (const key of keys) meta.type(key).pttl(key);
  const m = (await meta.exec()) ?? [];
  const read = r.pipeline();
  const kinds: Entry['t'][] = [];
  keys.forEach((key, i) => {
    const t = m[i * 2][1] as string;
    kinds.push(t as Entry['t']);
    if (t === 'string') read.get(key);
    else if (t === 'hash') read.hgetall(key);
    else if (t === 'set') read.smembers(key);
    else if (t === 'zset') read.zrange(key, 0, -1, 'WITHSCORES');
    else if (t === 'list') read.lrange(key, 0, -1);
    else if (t === 'none') read.echo('');
    else throw new RelayError('INTERNAL', `Key ${key} has type ${t}, which the backup does not handle`);
  });
  const values = (await read.exec()) ?? [];
  const out: Entry[] = [];
  keys.forEach((key, i) => {
    const t = kinds[i] as string;
    if (t === 'none') return; // expired between SCAN and read
    const pttl = m[i * 2 + 1][1] as number;
    let v = values[i][1] as Value;
    if (t === 'zset') {
      const flat = v as string[];
      const pairs: [string, string][] = [];
      for (let j = 0; j < flat.length; j += 2) pairs.push([flat[j], flat[j + 1]]);
      v = pairs;
    }
    if (t === 'set') v = (v as string[]).sort();
    out.push({ k: key.slice(prefix.length), t: t as Entry['t'], ttl: pttl >= 0 ? pttl : null, v });
  });
  return out;
}

async function write(stream: NodeJS.WritableStream, line: string): Promise<void> {
  if (!stream.write(line + '\n')) await once(stream, 'drain');
}

/** Writes every key under the configured prefix to `out` (a new file). */
export async function backupRedis(cfg: RedisConfig, out: string, now: number): Promise<{ keys: number }> {
  if (existsSync(out)) throw new RelayError('CONFLICT', `${out} already exists`);
  mkdirSync(dirname(out), { recursive: true, mode: 0o700 });
  const r = await connect(cfg);
  const file = createWriteStream(out, { mode: 0o600 });
  let count = 0;
  try {
    const header: Header = { format: REDIS_BACKUP_FORMAT, version: 1, store: 'redis', prefix: cfg.keyPrefix, createdAt: new Date(now).toISOString() };
    await write(file, JSON.stringify(header));
    await scanPrefix(r, cfg.keyPrefix, async (keys) => {
      for (const e of await readEntries(r, cfg.keyPrefix, keys)) {
        await write(file, JSON.stringify(e));
        count++;
      }
    });
  } finally {
    file.end();
    await once(file, 'close');
    r.disconnect();
  }
  return { keys: count };
}

/** Number of keys under the prefix. */
async function countKeys(r: RedisClient, prefix: string): Promise<number> {
  let n = 0;
  await scanPrefix(r, prefix, async (keys) => {
    n += keys.length;
  });
  return n;
}

/** True when the file starts with a Redis backup header. */
export async function readRedisBackupHeader(file: string): Promise<Header | null> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8', end: 64 * 1024 }), crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      try {
        const h = JSON.parse(line) as Partial<Header>;
        return h.format === REDIS_BACKUP_FORMAT && h.store === 'redis' ? (h as Header) : null;
      } catch {
        return null;
      }
    }
    return null;
  } finally {
    lines.close();
  }
}

function addWrite(p: ReturnType<Redis['pipeline']>, key: string, e: Entry): void {
  if (e.t === 'string') p.set(key, e.v as string);
  else if (e.t === 'hash') p.hset(key, e.v as Record<string, string>);
  else if (e.t === 'set') p.sadd(key, ...(e.v as string[]));
  else if (e.t === 'zset') p.zadd(key, ...(e.v as [string, string][]).flatMap(([member, score]) => [score, member]));
  else if (e.t === 'list') p.rpush(key, ...(e.v as string[]));
  if (e.ttl !== null) p.pexpire(key, Math.max(1, e.ttl));
}

/**
 * Loads a backup under the configured prefix. Refuses when keys exist under it unless `force`, which deletes
 * them first (stop the relay before restoring: it would keep writing).
 */
export async function restoreRedis(cfg: RedisConfig, backupFile: string, opts: { force: boolean }): Promise<{ keys: number; deleted: number }> {
  const header = await readRedisBackupHeader(backupFile);
  if (!header) throw new RelayError('VALIDATION_FAILED', `${backupFile} is not a Redis backup of this relay`);
  const r = await connect(cfg);
  try {
    let deleted = 0;
    const existing = await countKeys(r, cfg.keyPrefix);
    if (existing > 0) {
      if (!opts.force) {
        throw new RelayError('CONFLICT', `Redis already holds keys under "${cfg.keyPrefix}"; stop the relay and pass --force to replace them`);
      }
      await scanPrefix(r, cfg.keyPrefix, async (keys) => {
        deleted += keys.length;
        await r.del(...keys);
      });
    }
    let count = 0;
    let p = r.pipeline();
    let pending = 0;
    const lines = createInterface({ input: createReadStream(backupFile, { encoding: 'utf8' }), crlfDelay: Infinity });
    let first = true;
    for await (const line of lines) {
      if (first || line === '') {
        first = false;
        continue;
      }
      const e = JSON.parse(line) as Entry;
      // Redis has no empty collections
      if (e.t !== 'string' && (Array.isArray(e.v) ? e.v.length === 0 : Object.keys(e.v).length === 0)) continue;
      addWrite(p, cfg.keyPrefix + e.k, e);
      count++;
      if (++pending >= BATCH) {
        await execOrThrow(p);
        p = r.pipeline();
        pending = 0;
      }
    }
    if (pending > 0) await execOrThrow(p);
    return { keys: count, deleted };
  } finally {
    r.disconnect();
  }
}

async function execOrThrow(p: ReturnType<Redis['pipeline']>): Promise<void> {
  for (const [err] of (await p.exec()) ?? []) if (err) throw err;
}
