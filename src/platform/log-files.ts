// Daily log files: `relay-YYYY-MM-DD.log` (JSON lines) in one directory, a new file when the day changes (in the
// configured TIMEZONE_OFFSET, like the usage statistics), files older than the retention deleted.
import { openSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { systemClock } from '../core/clock.js';
import { writeAfterQueue } from './log-batch.js';
import { privateDir, privateFile, tightenFiles } from './private-files.js';

type Boom = ReturnType<typeof pino.destination>;

export interface DailyLogOptions {
  dir: string;
  /** Days of files kept, today's included. */
  retentionDays: number;
  /** Hours from UTC where a day begins. */
  tzOffsetHours: number;
  /** File name prefix (default 'relay'). */
  prefix?: string;
  /** Epoch ms (tests). */
  now?: () => number;
  /** Write synchronously (tests, and the last lines at exit). Default false. */
  sync?: boolean;
}

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of the day containing `ms`, in the given offset. */
export function dayLabel(ms: number, tzOffsetHours: number): string {
  return new Date(ms + tzOffsetHours * 3_600_000).toISOString().slice(0, 10);
}

/** A pino destination writing to today's file; switches files at midnight and prunes old ones. */
export class DailyLogFile {
  private current: Boom | null = null;
  /** The current file's descriptor (the destination closes it when ended). */
  private fd = -1;
  private day = '';
  /** Epoch ms at which the current file stops being today's. */
  private switchAt = 0;
  private readonly prefix: string;
  private readonly now: () => number;
  private readonly pattern: RegExp;

  constructor(private readonly opts: DailyLogOptions) {
    this.prefix = opts.prefix ?? 'relay';
    this.now = opts.now ?? systemClock.now;
    this.pattern = new RegExp(`^${this.prefix}-(\\d{4}-\\d{2}-\\d{2})\\.log$`);
    // Logs name keys, accounts and client addresses: files 0600 (older ones tightened too), a new folder 0700. An
    // existing folder keeps its mode: LOG_DIR may be a shared place like /var/log.
    privateDir(opts.dir, { tightenExisting: false });
    tightenFiles(this.ownFiles().map((name) => join(opts.dir, name)));
    this.open(this.now());
  }

  /** Path of the file being written. */
  get file(): string {
    return join(this.opts.dir, `${this.prefix}-${this.day}.log`);
  }

  write(line: string): boolean {
    // One comparison per line; the date is formatted only when the day changes.
    if (this.now() >= this.switchAt) this.open(this.now());
    return this.current!.write(line);
  }

  flushSync(): void {
    try {
      this.current?.flushSync();
    } catch {
      // not open yet or already closed: nothing buffered that could be written
    }
  }

  /** Writes what is queued, then `text`, before returning (at exit). */
  writeSync(text: string): void {
    if (this.now() >= this.switchAt) this.open(this.now());
    writeAfterQueue(this.current!, this.fd, text);
  }

  /** Flushes and closes the current file. */
  end(): Promise<void> {
    const boom = this.current;
    this.current = null;
    if (!boom) return Promise.resolve();
    return new Promise((resolve) => {
      boom.once('close', () => resolve());
      boom.once('error', () => resolve());
      boom.end();
    });
  }

  private open(nowMs: number): void {
    const offsetMs = this.opts.tzOffsetHours * 3_600_000;
    this.day = dayLabel(nowMs, this.opts.tzOffsetHours);
    this.switchAt = Math.floor((nowMs + offsetMs) / DAY_MS) * DAY_MS + DAY_MS - offsetMs;
    const previous = this.current;
    privateFile(this.file);
    // Opened here, so the destination is ready at once (writeSync at exit has a descriptor from the first line).
    this.fd = openSync(this.file, 'a');
    this.current = pino.destination({ fd: this.fd, sync: this.opts.sync ?? false });
    previous?.end();
    this.prune(nowMs);
  }

  /** Deletes this logger's files older than the retention (other files in the directory are left alone). */
  private prune(nowMs: number): void {
    const oldestKept = dayLabel(nowMs - (this.opts.retentionDays - 1) * DAY_MS, this.opts.tzOffsetHours);
    for (const name of this.ownFiles()) {
      const m = this.pattern.exec(name)!;
      if (m[1] < oldestKept) rmSync(join(this.opts.dir, name), { force: true });
    }
  }

  /** Names of this logger's files in its directory (none when it cannot be read). */
  private ownFiles(): string[] {
    try {
      return readdirSync(this.opts.dir).filter((name) => this.pattern.test(name));
    } catch {
      return [];
    }
  }
}
