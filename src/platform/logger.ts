// The one pino root. Secrets are redacted by path in every line; children carry requestId/keyId/accountId.
import { pino, type Logger, type LevelWithSilent } from 'pino';
import { systemClock } from '../core/clock.js';

export type { Logger } from 'pino';

/**
 * Paths whose values never reach a log line. Explicit paths, not `*.x` wildcards: a wildcard makes pino visit
 * every key of every logged object, a cost paid on each request line.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["x-goog-api-key"]',
  'req.headers["api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers.cookie',
  'password',
  'apiKey',
  'key',
  'token',
  'accessToken',
  'refreshToken',
  'secrets',
  'proxy',
  'account.apiKey',
  'account.secrets',
  'account.proxy',
  'err.config.headers',
];

let isoMs = NaN;
let isoField = '';

/**
 * pino's `isoTime`, the same text, formatted once per millisecond: under load several request lines share one
 * (`toISOString`, ~1.2 µs, is about a third of a request line's cost).
 */
export function isoTime(): string {
  const now = systemClock.now(); // a line's time is the system's, as pino's own isoTime reads it
  if (now !== isoMs) {
    isoMs = now;
    isoField = `,"time":"${new Date(now).toISOString()}"`;
  }
  return isoField;
}

export interface LoggerOptions {
  level: LevelWithSilent;
  /** Where lines go; defaults to stdout. */
  destination?: pino.DestinationStream;
}

export function createLogger(opts: LoggerOptions): Logger {
  return pino(
    {
      level: opts.level,
      base: { service: 'claude-relay-service' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: isoTime,
    },
    opts.destination ?? pino.destination({ sync: false }),
  );
}

/** A logger that drops everything (tests, CLI). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** The fields of the line each relayed request writes. */
export interface RelayedLine {
  requestId: string;
  keyId: string;
  accountId: string | undefined;
  model: string;
  status: number;
  durationMs: number;
  stream: boolean;
  attempts: number;
}

const RELAYED_KEYS: readonly (keyof RelayedLine)[] = ['requestId', 'keyId', 'accountId', 'model', 'status', 'durationMs', 'stream', 'attempts'];
const S = pino.symbols;
/** In pino's symbols at run time, not in its type declarations. */
const MSG_PREFIX = (pino.symbols as unknown as Record<string, symbol | undefined>).msgPrefixSym;
type Internals = Record<symbol, unknown> & Logger;
/** Characters a JSON string would escape (lone surrogates too), so a string without them is quoted as it is. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * Whether pino would write a line of these fields as the plain template does: no mixin, log formatter, hook, message
 * prefix, nested key, or serialiser or redaction for any of the fields. Decided once per logger.
 */
const plainLoggers = new WeakMap<Logger, boolean>();
function plainFor(log: Logger): boolean {
  let plain = plainLoggers.get(log);
  if (plain === undefined) {
    const l = log as Internals;
    const formatters = l[S.formattersSym] as { log?: unknown };
    const hooks = l[S.hooksSym] as { streamWrite?: unknown; logMethod?: unknown };
    const serializers = l[S.serializersSym] as Record<string, unknown>;
    const stringifiers = l[S.stringifiersSym] as Record<string | symbol, unknown>;
    const stream = l[S.streamSym] as Record<symbol, unknown>;
    plain =
      !l[S.mixinSym] &&
      !formatters.log &&
      !hooks.streamWrite &&
      !hooks.logMethod &&
      (MSG_PREFIX === undefined || l[MSG_PREFIX] === undefined) &&
      !l[S.nestedKeySym] &&
      stream[S.needsMetadataGsym] !== true &&
      !stringifiers[S.wildcardFirstSym] &&
      RELAYED_KEYS.every((k) => !serializers[k] && !stringifiers[k]) &&
      !serializers[l[S.messageKeySym] as string];
    plainLoggers.set(log, plain);
  }
  return plain;
}

/**
 * `log.info(line, msg)` for the one line every relayed request writes: the same bytes, built from a template rather than
 * by pino's generic serialiser (which walks the object's keys, looks up a serialiser and a redaction for each, and
 * escapes each string character by character). Any logger this template cannot stand for goes through pino.
 */
export function logRelayed(log: Logger, line: RelayedLine, msg: string): void {
  if (!log.isLevelEnabled('info')) return;
  const { requestId, keyId, accountId, model } = line;
  // A string JSON would escape (a quote in a model name, say) takes pino's own path: the template only quotes.
  if (
    !plainFor(log) ||
    NEEDS_ESCAPE.test(requestId) ||
    NEEDS_ESCAPE.test(keyId) ||
    (accountId !== undefined && NEEDS_ESCAPE.test(accountId)) ||
    NEEDS_ESCAPE.test(model) ||
    NEEDS_ESCAPE.test(msg)
  ) {
    log.info(line, msg);
    return;
  }
  const l = log as Internals;
  const level = (l[S.lsCacheSym] as Record<number, string>)[log.levels.values.info];
  const time = (l[S.timeSym] as () => string)();
  const account = accountId === undefined ? '' : `,"accountId":"${accountId}"`;
  const text =
    `${level}${time}${l[S.chindingsSym] as string},"requestId":"${requestId}","keyId":"${keyId}"${account},"model":"${model}"` +
    `,"status":${line.status},"durationMs":${line.durationMs},"stream":${line.stream},"attempts":${line.attempts}` +
    `,"${l[S.messageKeySym] as string}":"${msg}"${l[S.endSym] as string}`;
  (l[S.streamSym] as { write(s: string): void }).write(text);
}
