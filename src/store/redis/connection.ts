// How the relay reaches Redis: one server (URL or host/port), Sentinel (the master of a named set, followed across
// failovers) or Cluster. The one place ioredis clients are built, and SCAN over every master of a Cluster.
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { HostPort } from '../../config/host-ports.js';

/** Where Redis is: exactly one of url, sentinels, clusterNodes, or host/port. */
export interface RedisTarget {
  url?: string;
  host?: string;
  port?: number;
  password?: string;
  db?: number;
  /** Sentinel: the sentinels to ask, and the name of the monitored master set. */
  sentinels?: HostPort[];
  sentinelName?: string;
  sentinelPassword?: string;
  /** Cluster: some of its nodes (the rest are discovered). */
  clusterNodes?: HostPort[];
}

export type RedisClient = Redis | Cluster;

/** Options every connection of the relay shares (the caller's), applied to whichever topology is configured. */
export type BaseOptions = Pick<
  RedisOptions,
  'enableOfflineQueue' | 'lazyConnect' | 'maxRetriesPerRequest' | 'connectTimeout' | 'commandTimeout' | 'retryStrategy'
>;

/** After a Sentinel failover the old master answers READONLY until the client moves: reconnect (and resend). */
const reconnectOnReadonly = (err: Error): 2 | false => (err.message.startsWith('READONLY') ? 2 : false);

export function createRedisClient(t: RedisTarget, base: BaseOptions): RedisClient {
  if (t.clusterNodes?.length) {
    const { retryStrategy, enableOfflineQueue, lazyConnect, ...node } = base;
    return new Cluster(t.clusterNodes, {
      enableOfflineQueue,
      lazyConnect,
      clusterRetryStrategy: retryStrategy ? (n: number) => retryStrategy(n) : null,
      // Every command goes to the master of its slot (the relay reads what it just wrote).
      scaleReads: 'master',
      slotsRefreshTimeout: base.connectTimeout ?? 5000,
      redisOptions: { ...node, password: t.password },
    });
  }
  if (t.sentinels?.length) {
    return new Redis({
      ...base,
      sentinels: t.sentinels,
      name: t.sentinelName ?? 'mymaster',
      role: 'master',
      password: t.password,
      sentinelPassword: t.sentinelPassword,
      db: t.db,
      // Told by the sentinels when the master changes (instead of finding out from a failed command).
      failoverDetector: true,
      reconnectOnError: reconnectOnReadonly,
    });
  }
  if (t.url) return new Redis(t.url, base);
  return new Redis({ ...base, host: t.host, port: t.port, password: t.password, db: t.db });
}

/**
 * Calls `fn` with batches of the keys matching `pattern` (SCAN, never KEYS). On a Cluster every master is scanned:
 * a SCAN sent to the cluster as a whole would read one node's keys only.
 */
export async function scanKeys(r: RedisClient, pattern: string, count: number, fn: (keys: string[]) => Promise<void>): Promise<void> {
  const nodes: Redis[] = r instanceof Cluster ? r.nodes('master') : [r];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      cursor = next;
      if (keys.length) await fn(keys);
    } while (cursor !== '0');
  }
}
