// Backup and restore of the SQLite store: SQLite's online backup API (consistent while the relay writes), and a
// restore that only replaces an empty database unless forced (the replaced file is kept beside it).
import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { RelayError } from '../../core/errors.js';
import { MIGRATIONS } from './schema.js';

/** The database file of a DATA_DIR (the path store/index.ts opens). */
export function sqliteFile(dataDir: string): string {
  return join(dataDir, 'app', 'relay.db');
}

export function isSqliteFile(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(16);
    return readSync(fd, head, 0, 16, 0) === 16 && head.toString('latin1') === 'SQLite format 3\0';
  } finally {
    closeSync(fd);
  }
}

/** Copies the live database to `out` (a new file). */
export async function backupSqlite(dbFile: string, out: string): Promise<{ bytes: number }> {
  if (!existsSync(dbFile)) throw new RelayError('NOT_FOUND', `No database at ${dbFile} (has the relay started with this DATA_DIR?)`);
  if (existsSync(out)) throw new RelayError('CONFLICT', `${out} already exists`);
  mkdirSync(dirname(out), { recursive: true, mode: 0o700 });
  const db = new Database(dbFile, { fileMustExist: true });
  try {
    const meta = await db.backup(out);
    // Sealed secrets and key HMACs: readable by the owner only, like the database itself should be.
    chmodSync(out, 0o600);
    return { bytes: meta.totalPages * (db.pragma('page_size', { simple: true }) as number) };
  } finally {
    db.close();
  }
}

/** Rows in all tables (0 = empty, or no database yet). */
export function sqliteRowCount(dbFile: string): number {
  if (!existsSync(dbFile)) return 0;
  const db = new Database(dbFile, { fileMustExist: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[];
    let n = 0;
    for (const { name } of tables) n += (db.prepare(`SELECT COUNT(*) AS n FROM "${name.replace(/"/g, '""')}"`).get() as { n: number }).n;
    return n;
  } finally {
    db.close();
  }
}

export interface SqliteRestoreResult {
  /** Where the replaced database was moved (with --force on a non-empty store). */
  previous: string | null;
}

/**
 * Replaces the database with the backup. The relay must be stopped: its open connection would keep the old file.
 * Refuses a non-empty target unless `force`, and then keeps the old file as `relay.db.before-restore-<time>`.
 */
export async function restoreSqlite(backupFile: string, dbFile: string, opts: { force: boolean; now: number }): Promise<SqliteRestoreResult> {
  if (!isSqliteFile(backupFile)) throw new RelayError('VALIDATION_FAILED', `${backupFile} is not a SQLite backup`);
  const src = new Database(backupFile, { readonly: true, fileMustExist: true });
  try {
    const version = src.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new RelayError('VALIDATION_FAILED', `The backup comes from a newer relay (schema ${version}; this one knows ${MIGRATIONS.length})`);
    }
    let previous: string | null = null;
    const rows = sqliteRowCount(dbFile);
    if (rows > 0) {
      if (!opts.force) {
        throw new RelayError('CONFLICT', `The store at ${dbFile} is not empty (${rows} rows); stop the relay and pass --force to replace it`);
      }
      // Fold the WAL into the file so the kept copy is complete, then move it aside.
      const cur = new Database(dbFile, { fileMustExist: true });
      cur.pragma('wal_checkpoint(TRUNCATE)');
      cur.close();
      previous = `${dbFile}.before-restore-${new Date(opts.now).toISOString().replace(/[:.]/g, '-')}`;
      renameSync(dbFile, previous);
    }
    for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) rmSync(f, { force: true });
    mkdirSync(dirname(dbFile), { recursive: true });
    await src.backup(dbFile);
    return { previous };
  } finally {
    src.close();
  }
}
