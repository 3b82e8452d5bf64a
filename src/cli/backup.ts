// crs backup / crs restore: the whole store (SQLite database file or Redis keys under the prefix) to and from a file.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { ConfigError, loadConfig, type Config } from '../config/index.js';
import { systemClock, type Clock } from '../core/clock.js';
import { backupStore, defaultBackupFile, restoreStore } from '../store/backup.js';
import { CliError } from './context.js';

function config(): Config {
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message);
    throw e;
  }
}

export function backupCommand(program: Command, clock: Clock = systemClock): void {
  program
    .command('backup')
    .description('copy the whole store to a file (SQLite: online backup of the database; Redis: every key under the prefix)')
    .option('--out <file>', 'where to write (default: DATA_DIR/backups/crs-<store>-<time>.<db|jsonl>)')
    .option('--json', 'JSON output')
    .action(async (o) => {
      const c = config();
      const now = clock.now();
      const out = o.out ? resolve(o.out) : defaultBackupFile(c, now);
      const r = await backupStore(c, out, now);
      if (o.json) process.stdout.write(JSON.stringify(r) + '\n');
      else process.stdout.write(`Backup of the ${r.kind} store written to ${r.file}${r.keys !== undefined ? ` (${r.keys} keys)` : ''}\n`);
    });

  program
    .command('restore <file>')
    .description('load a backup into an empty store (stop the relay first); --force replaces a non-empty one')
    .option('--force', 'replace what the store holds (SQLite: the old database is kept beside it)')
    .option('--json', 'JSON output')
    .action(async (file: string, o) => {
      const c = config();
      const r = await restoreStore(c, resolve(file), { force: o.force === true, now: clock.now() });
      if (o.json) process.stdout.write(JSON.stringify(r) + '\n');
      else {
        const detail =
          r.kind === 'redis'
            ? ` (${r.keys} keys${r.deleted ? `, ${r.deleted} old keys deleted` : ''})`
            : r.previous
              ? ` (previous database kept as ${r.previous})`
              : '';
        process.stdout.write(`Restored the ${r.kind} store from ${resolve(file)}${detail}. Start the relay again.\n`);
      }
    });
}
