// The server's log outputs: daily JSON files under LOG_DIR (default DATA_DIR/logs) and stdout — pretty-printed
// (pino-pretty, in a worker thread) only when stdout is a terminal, JSON otherwise. Redaction is the logger's own
// (REDACT_PATHS), so every output gets it.
import { createRequire } from 'node:module';
import { pino } from 'pino';
import { DailyLogFile } from './log-files.js';
import { createLogger, type Logger } from './logger.js';

export interface LogSetupOptions {
  level: pino.LevelWithSilent;
  /** Directory of the daily files; null = none. */
  dir: string | null;
  stdout: boolean;
  retentionDays: number;
  tzOffsetHours: number;
  /** Defaults to whether process.stdout is a terminal. */
  pretty?: boolean;
}

export interface AppLogger {
  log: Logger;
  /** The file being written, if any. */
  file: () => string | null;
  /** Flushes every output and closes the files (call once, at exit). */
  close(): Promise<void>;
}

type Closeable = pino.DestinationStream & { end?: () => void; flushSync?: () => void };

function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

export function createAppLogger(opts: LogSetupOptions): AppLogger {
  const files = opts.dir ? new DailyLogFile({ dir: opts.dir, retentionDays: opts.retentionDays, tzOffsetHours: opts.tzOffsetHours }) : null;
  let terminal: Closeable | null = null;
  let pretty = false;
  if (opts.stdout) {
    pretty = (opts.pretty ?? process.stdout.isTTY === true) && prettyAvailable();
    terminal = pretty
      ? pino.transport({ target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:standard', ignore: 'pid,hostname,service' } })
      : pino.destination({ sync: false });
  }
  const outputs = [files, terminal].filter((s): s is NonNullable<typeof s> => s !== null);
  // multistream filters by level per stream: give each the logger's level so nothing is dropped twice.
  const streamLevel = opts.level === 'silent' ? 'fatal' : opts.level;
  const destination: pino.DestinationStream =
    outputs.length === 0
      ? { write: () => undefined }
      : outputs.length === 1
        ? outputs[0]
        : pino.multistream(outputs.map((stream) => ({ stream, level: streamLevel })));
  const log = createLogger({ level: opts.level, destination });
  return {
    log,
    file: () => files?.file ?? null,
    async close() {
      if (terminal) {
        try {
          terminal.flushSync?.();
        } catch {
          // a destination that is not ready has nothing to flush
        }
        // The pretty worker prints what it holds when ended; stdout itself stays open.
        if (pretty) terminal.end?.();
      }
      await files?.end();
    },
  };
}
