// Opens the configured store: Redis when configured, else SQLite under DATA_DIR/app.
import { join } from 'node:path';
import type { Config } from '../config/index.js';
import type { Clock } from '../core/clock.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './types.js';

/** `clock`: the time the store's expiries (kv, sessions, counters) are set and read at; default the system clock. */
export async function openStore(config: Pick<Config, 'redis' | 'dataDir'>, opts: { clock?: Clock } = {}): Promise<Store> {
  // Redis support (ioredis) is loaded only when configured: an SQLite relay does not carry it in memory.
  if (config.redis) return (await import('./redis/redis-store.js')).openRedisStore({ ...config.redis, clock: opts.clock });
  return new SqliteStore({ file: join(config.dataDir, 'app', 'relay.db'), clock: opts.clock });
}

export type { Store } from './types.js';
