// Opens the configured store: Redis when configured, else SQLite under DATA_DIR/app.
import { join } from 'node:path';
import type { Config } from '../config/index.js';
import { openRedisStore } from './redis/redis-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './types.js';

export async function openStore(config: Pick<Config, 'redis' | 'dataDir'>): Promise<Store> {
  if (config.redis) return openRedisStore(config.redis);
  return new SqliteStore({ file: join(config.dataDir, 'app', 'relay.db') });
}

export type { Store } from './types.js';
