// The server's log outputs: daily JSON files under LOG_DIR (default DATA_DIR/logs) and stdout — pretty-printed
// (pino-pretty, in a worker thread) only when stdout is a terminal, JSON otherwise. Redaction is the logger's own
// (REDACT_PATHS), so every output gets it.
import { createRequire } from 'node:module';
import { pino } from 'pino';
import { DailyLogFile } from './log-files.js';
import { LineBatch, writeAfterQueue, type LineOutput } from './log-batch.js';
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

function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/** The log options of a loaded configuration (the server and the bench build their logger the same way). */
export function logSetupOptions(config: {
  logLevel: pino.LevelWithSilent;
  timezoneOffsetHours: number;
  log: { dir: string | null; stdout: boolean; retentionDays: number };
}): LogSetupOptions {
  return {
    level: config.logLevel,
    dir: config.log.dir,
    stdout: config.log.stdout,
    retentionDays: config.log.retentionDays,
    tzOffsetHours: config.timezoneOffsetHours,
  };
}

export function createAppLogger(opts: LogSetupOptions): AppLogger {
  const files = opts.dir ? new DailyLogFile({ dir: opts.dir, retentionDays: opts.retentionDays, tzOffsetHours: opts.tzOffsetHours }) : null;
  const pretty = opts.stdout && (opts.pretty ?? process.stdout.isTTY === true) && prettyAvailable();
  // Pretty-printing runs in a worker thread; plain JSON goes to stdout directly.
  const prettyWorker = pretty
    ? pino.transport({ target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:standard', ignore: 'pid,hostname,service' } })
    : null;
  const terminal: LineOutput | null = opts.stdout ? (prettyWorker ?? stdoutOutput()) : null;
  const outputs = [files, terminal].filter((s): s is NonNullable<typeof s> => s !== null);
  // Every output takes the logger's level, so lines need no filtering per output and go to all of them together
  // (log-batch.ts).
  let reported = false;
  const batch =
    outputs.length === 0
      ? null
      : new LineBatch(outputs, (err) => {
          // Said once, on stderr: the logger itself may be what cannot write.
          if (!reported) process.stderr.write(`claude-relay-service: a log output failed: ${err.message}\n`);
          reported = true;
        });
  const log = createLogger({ level: opts.level, destination: batch ?? { write: () => undefined } });
  return {
    log,
    file: () => files?.file ?? null,
    async close() {
      batch?.close();
      // The pretty worker prints what it holds when ended; stdout itself stays open.
      prettyWorker?.end();
      await files?.end();
    },
  };
}

/** stdout as an asynchronous destination that can also write synchronously (at exit). */
function stdoutOutput(): LineOutput {
  const boom = pino.destination({ fd: 1, sync: false });
  return {
    write: (text) => boom.write(text),
    flushSync: () => boom.flushSync(),
    writeSync: (text) => writeAfterQueue(boom, 1, text),
  };
}
