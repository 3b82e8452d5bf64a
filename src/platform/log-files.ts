// Daily log files: `relay-YYYY-MM-DD.log` (JSON lines) in one directory, a new file when the day changes (in the
// configured TIMEZONE_OFFSET, like the usage statistics), files older than the retention deleted.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';

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
  private day = '';
  /** Epoch ms at which the current file stops being today's. */
  private switchAt = 0;
  private readonly prefix: string;
  private readonly now: () => number;
  private readonly pattern: RegExp;

  constructor(private readonly opts: DailyLogOptions) {
    this.prefix = opts.prefix ?? 'relay';
    this.now = opts.now ?? Date.now;
    this.pattern = new RegExp(`^${this.prefix}-(\\d{4}-\\d{2}-\\d{2})\\.log$`);
    mkdirSync(opts.dir, { recursive: true });
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
    this.current = pino.destination({ dest: this.file, sync: this.opts.sync ?? false, mkdir: true, append: true });
    previous?.end();
    this.prune(nowMs);
  }

  /** Deletes this logger's files older than the retention (other files in the directory are left alone). */
  private prune(nowMs: number): void {
    const oldestKept = dayLabel(nowMs - (this.opts.retentionDays - 1) * DAY_MS, this.opts.tzOffsetHours);
    let names: string[];
    try {
      names = readdirSync(this.opts.dir);
    } catch {
      return;
    }
    for (const name of names) {
      const m = this.pattern.exec(name);
      if (m && m[1] < oldestKept) rmSync(join(this.opts.dir, name), { force: true });
    }
  }
}
