// Configuration: the only reader of process.env. Parses the environment (and an optional .env file) once,
// reports every problem at once, and returns a frozen Config.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { crossFieldProblems, envSchema, type Env } from './schema.js';

export interface RedisConfig {
  url?: string;
  host: string;
  port: number;
  password?: string;
  db: number;
  keyPrefix: string;
}

export interface Config {
  env: Env['NODE_ENV'];
  host: string;
  port: number;
  dataDir: string;
  /** Undefined until resolveSecrets() fills them from the environment or DATA_DIR/app/secrets.json. */
  jwtSecret?: string;
  encryptionKey?: string;
  admin: { username: string; password: string } | null;
  adminSessionHours: number;
  /** Null = the embedded SQLite store. */
  redis: RedisConfig | null;
  logLevel: Env['LOG_LEVEL'];
  timezoneOffsetHours: number;
  requestMaxBytes: number;
  upstreamTimeoutMs: number;
  anthropicApiUrl: string;
  pricingFile: string | null;
  trustProxy: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Path of the .env file; defaults to `<cwd>/.env`. Missing file = no file. */
  envFile?: string | null;
}

/** Reads the .env file (if any) under the real environment, validates, and freezes. */
export function loadConfig(opts: LoadConfigOptions = {}): Config {
  const cwd = opts.cwd ?? process.cwd();
  const envFile = opts.envFile === undefined ? join(cwd, '.env') : opts.envFile;
  const fromFile = envFile && existsSync(envFile) ? parseDotenv(readFileSync(envFile)) : {};
  const merged: Record<string, string | undefined> = { ...fromFile, ...(opts.env ?? process.env) };
  // Empty values (common with docker-compose `${VAR}` interpolation) count as unset.
  const raw: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const v = merged[key];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  const parsed = envSchema.safeParse(raw);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${i.message}`);
  problems.push(...crossFieldProblems(raw));
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  const dataDir = isAbsolute(e.DATA_DIR) ? e.DATA_DIR : resolve(cwd, e.DATA_DIR);
  const redis: RedisConfig | null =
    e.REDIS_URL || e.REDIS_HOST
      ? {
          url: e.REDIS_URL,
          host: e.REDIS_HOST ?? '127.0.0.1',
          port: e.REDIS_PORT,
          password: e.REDIS_PASSWORD,
          db: e.REDIS_DB,
          keyPrefix: e.REDIS_KEY_PREFIX,
        }
      : null;
  return Object.freeze({
    env: e.NODE_ENV,
    host: e.BIND_HOST ?? e.HOST ?? '0.0.0.0',
    port: e.PORT,
    dataDir,
    jwtSecret: e.JWT_SECRET,
    encryptionKey: e.ENCRYPTION_KEY,
    admin: e.ADMIN_USERNAME && e.ADMIN_PASSWORD ? { username: e.ADMIN_USERNAME, password: e.ADMIN_PASSWORD } : null,
    adminSessionHours: e.ADMIN_SESSION_HOURS,
    redis,
    logLevel: e.LOG_LEVEL,
    timezoneOffsetHours: e.TIMEZONE_OFFSET,
    requestMaxBytes: e.REQUEST_MAX_SIZE_MB * 1024 * 1024,
    upstreamTimeoutMs: e.UPSTREAM_TIMEOUT_MS,
    anthropicApiUrl: e.ANTHROPIC_API_URL.replace(/\/+$/, ''),
    pricingFile: e.PRICING_FILE ? resolve(cwd, e.PRICING_FILE) : null,
    trustProxy: e.TRUST_PROXY,
  });
}
