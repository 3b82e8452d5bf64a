// Whole-store backup and restore for the configured backend: a SQLite file copy or a Redis key dump. A backup
// restores only into the same kind of store (moving between kinds is what `crs export`/`import` are for).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/index.js';
import { RelayError } from '../core/errors.js';
import { backupSqlite, isSqliteFile, restoreSqlite, sqliteFile } from './sqlite/backup.js';
import type { StoreKind } from './types.js';

type StoreConfig = Pick<Config, 'redis' | 'dataDir'>;

export function storeKindOf(config: StoreConfig): StoreKind {
  return config.redis ? 'redis' : 'sqlite';
}

/** `DATA_DIR/backups/crs-<kind>-<UTC time>.<db|jsonl>` */
export function defaultBackupFile(config: StoreConfig, now: number): string {
  const stamp = new Date(now).toISOString().replace(/\..*$/, '').replace(/[-:]/g, '').replace('T', '-');
  const kind = storeKindOf(config);
  return join(config.dataDir, 'backups', `crs-${kind}-${stamp}.${kind === 'sqlite' ? 'db' : 'jsonl'}`);
}

export interface BackupResult {
  kind: StoreKind;
  file: string;
  /** Keys (Redis) or bytes (SQLite) written. */
  keys?: number;
  bytes?: number;
}

export async function backupStore(config: StoreConfig, out: string, now: number): Promise<BackupResult> {
  if (config.redis) return { kind: 'redis', file: out, ...(await (await import('./redis/backup.js')).backupRedis(config.redis, out, now)) };
  return { kind: 'sqlite', file: out, ...(await backupSqlite(sqliteFile(config.dataDir), out)) };
}

export interface RestoreResult {
  kind: StoreKind;
  keys?: number;
  deleted?: number;
  previous?: string | null;
}

/** Which store kind a backup file holds, or null when it is neither. */
export async function backupKindOf(file: string): Promise<StoreKind | null> {
  if (!existsSync(file)) throw new RelayError('NOT_FOUND', `${file}: no such file`);
  if (isSqliteFile(file)) return 'sqlite';
  return (await (await import('./redis/backup.js')).readRedisBackupHeader(file)) ? 'redis' : null;
}

export async function restoreStore(config: StoreConfig, file: string, opts: { force: boolean; now: number }): Promise<RestoreResult> {
  const kind = await backupKindOf(file);
  if (kind === null) throw new RelayError('VALIDATION_FAILED', `${file} is not a backup made by crs backup`);
  const target = storeKindOf(config);
  if (kind !== target) {
    throw new RelayError(
      'VALIDATION_FAILED',
      `${file} is a ${kind} backup but the configured store is ${target}; use crs export / crs import to move data between store kinds`,
    );
  }
  if (config.redis) return { kind: 'redis', ...(await (await import('./redis/backup.js')).restoreRedis(config.redis, file, { force: opts.force })) };
  return { kind: 'sqlite', ...(await restoreSqlite(file, sqliteFile(config.dataDir), opts)) };
}
