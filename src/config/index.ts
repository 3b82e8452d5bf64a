// Configuration: the only reader of process.env. Parses the environment (and an optional .env file) once,
// reports every problem at once, and returns a frozen Config.
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import type { ClaudeOAuthEndpoints, GoogleOAuthEndpoints, OAuthEndpoints } from '../core/oauth-endpoints.js';
import type { CooldownPolicy } from '../core/cooldowns.js';
import { crossFieldProblems, envSchema, type Env } from './schema.js';
import type { TrustProxy } from './trust-proxy.js';
import { parseHostPorts, type HostPort } from './host-ports.js';

export interface RedisConfig {
  url?: string;
  host: string;
  port: number;
  password?: string;
  db: number;
  keyPrefix: string;
  /** Sentinel (REDIS_SENTINELS): the sentinels and the master set's name; the master is found through them. */
  sentinels?: HostPort[];
  sentinelName?: string;
  sentinelPassword?: string;
  /** Cluster (REDIS_CLUSTER_NODES): seed nodes. */
  clusterNodes?: HostPort[];
  /** A command not answered in this time fails. */
  commandTimeoutMs?: number;
}

/** Scheduling, stickiness and the health policy's cooldowns. */
export interface SchedulingConfig {
  maxAttempts: number;
  stickyTtlMs: number;
  stickyRenewBelowMs: number;
  cooldowns: CooldownPolicy;
}

export interface Config {
  env: Env['NODE_ENV'];
  host: string;
  port: number;
  dataDir: string;
  /** Undefined until resolveSecrets() fills them from the environment or DATA_DIR/app/secrets.json. */
  jwtSecret?: string;
  encryptionKey?: string;
  /**
   * ADMIN_USERNAME / ADMIN_PASSWORD: they seed the admin created at the first start (what is blank is generated into
   * init.json); null when both are blank. An existing admin's password is never changed by them.
   */
  admin: { username: string | null; password: string | null } | null;
  /** NODE_EXTRA_CA_CERTS: the file, and whether Node got it from the process environment (a value only in .env is not applied). */
  extraCaCerts: { file: string; inEffect: boolean } | null;
  adminSessionHours: number;
  /** Null = the embedded SQLite store. */
  redis: RedisConfig | null;
  logLevel: Env['LOG_LEVEL'];
  timezoneOffsetHours: number;
  requestMaxBytes: number;
  upstreamTimeoutMs: number;
  anthropicApiUrl: string;
  pricingFile: string | null;
  trustProxy: TrustProxy;
  /** Client connections: receive budgets (never applied to a response being written), idle keep-alive, cap (0 = none). */
  server: { headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number; maxConnections: number };
  /** scrypt N of new admin password hashes. */
  adminScryptN: number;
  claudeOAuth: ClaudeOAuthConfig;
  openaiApiUrl: string;
  codexApiUrl: string;
  openaiOAuth: OAuthEndpoints;
  geminiApiUrl: string;
  codeAssistApiUrl: string;
  geminiOAuth: GoogleOAuthEndpoints;
  log: {
    /** Directory of the daily log files; null = no log files. */
    dir: string | null;
    stdout: boolean;
    retentionDays: number;
  };
  shutdownTimeoutMs: number;
  metricsToken: string | null;
  /** /metrics open on the main port without a token (explicit opt-in). */
  metricsPublic: boolean;
  /** A separate listener for /metrics; null = served on the main port. */
  metricsBind: { host: string; port: number } | null;
  scheduling: SchedulingConfig;
}

/** Claude subscription OAuth endpoints and client registration (PROTOCOLS 3.1, 3.2). */
export type ClaudeOAuthConfig = ClaudeOAuthEndpoints;

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
  const real = opts.env ?? process.env;
  const merged: Record<string, string | undefined> = { ...fromFile, ...real };
  // Empty values (common with docker-compose `${VAR}` interpolation) count as unset.
  const raw: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const v = merged[key];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  const parsed = envSchema.safeParse(raw);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${i.message}`);
  problems.push(...crossFieldProblems(raw));
  if (raw.NODE_EXTRA_CA_CERTS !== undefined && !isReadableFile(resolve(cwd, raw.NODE_EXTRA_CA_CERTS))) {
    problems.push(`NODE_EXTRA_CA_CERTS: ${raw.NODE_EXTRA_CA_CERTS} is not a readable file (PEM certificates of the CA)`);
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  const dataDir = isAbsolute(e.DATA_DIR) ? e.DATA_DIR : resolve(cwd, e.DATA_DIR);
  const clusterNodes = e.REDIS_CLUSTER_NODES ? (parseHostPorts(e.REDIS_CLUSTER_NODES) ?? undefined) : undefined;
  const sentinels = e.REDIS_SENTINELS ? (parseHostPorts(e.REDIS_SENTINELS) ?? undefined) : undefined;
  const redis: RedisConfig | null =
    e.REDIS_URL || e.REDIS_HOST || clusterNodes || sentinels
      ? {
          // Sentinel and Cluster name their own servers (REDIS_URL is then not used).
          url: clusterNodes || sentinels ? undefined : e.REDIS_URL,
          host: e.REDIS_HOST ?? '127.0.0.1',
          port: e.REDIS_PORT,
          password: e.REDIS_PASSWORD,
          db: e.REDIS_DB,
          keyPrefix: e.REDIS_KEY_PREFIX ?? (clusterNodes ? '{crs}:' : 'crs:'),
          ...(clusterNodes
            ? { clusterNodes }
            : sentinels
              ? { sentinels, sentinelName: e.REDIS_SENTINEL_NAME, sentinelPassword: e.REDIS_SENTINEL_PASSWORD }
              : {}),
          commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
        }
      : null;
  return Object.freeze({
    env: e.NODE_ENV,
    host: e.BIND_HOST ?? e.HOST ?? '0.0.0.0',
    port: e.PORT,
    dataDir,
    jwtSecret: e.JWT_SECRET,
    encryptionKey: e.ENCRYPTION_KEY,
    admin: e.ADMIN_USERNAME || e.ADMIN_PASSWORD ? { username: e.ADMIN_USERNAME ?? null, password: e.ADMIN_PASSWORD ?? null } : null,
    extraCaCerts: e.NODE_EXTRA_CA_CERTS ? { file: resolve(cwd, e.NODE_EXTRA_CA_CERTS), inEffect: real.NODE_EXTRA_CA_CERTS === e.NODE_EXTRA_CA_CERTS } : null,
    adminSessionHours: e.ADMIN_SESSION_HOURS,
    redis,
    logLevel: e.LOG_LEVEL,
    timezoneOffsetHours: e.TIMEZONE_OFFSET,
    requestMaxBytes: e.REQUEST_MAX_SIZE_MB * 1024 * 1024,
    upstreamTimeoutMs: e.UPSTREAM_TIMEOUT_MS,
    anthropicApiUrl: e.ANTHROPIC_API_URL.replace(/\/+$/, ''),
    pricingFile: e.PRICING_FILE ? resolve(cwd, e.PRICING_FILE) : null,
    trustProxy: e.TRUST_PROXY,
    server: {
      headersTimeoutMs: e.HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: e.MAX_CONNECTIONS,
    },
    adminScryptN: e.ADMIN_SCRYPT_N,
    scheduling: {
      maxAttempts: e.FAILOVER_MAX_ATTEMPTS,
      stickyTtlMs: Math.round(e.STICKY_SESSION_TTL_HOURS * 3_600_000),
      stickyRenewBelowMs: e.STICKY_SESSION_RENEWAL_THRESHOLD_MINUTES * 60_000,
      cooldowns: {
        rateLimitedSec: e.COOLDOWN_RATE_LIMITED_SEC,
        throttledSec: e.COOLDOWN_THROTTLED_SEC,
        overloadedSec: e.COOLDOWN_OVERLOADED_SEC,
        serverErrorSec: e.COOLDOWN_SERVER_ERROR_SEC,
        networkSec: e.COOLDOWN_NETWORK_SEC,
        unauthorizedSec: e.COOLDOWN_UNAUTHORIZED_SEC,
        forbiddenSec: e.COOLDOWN_FORBIDDEN_SEC,
        maxSec: 7 * 86_400,
      },
    },
    claudeOAuth: Object.freeze({
      authorizeUrl: e.CLAUDE_OAUTH_AUTHORIZE_URL,
      tokenUrl: e.CLAUDE_OAUTH_TOKEN_URL,
      clientId: e.CLAUDE_OAUTH_CLIENT_ID,
      redirectUri: e.CLAUDE_OAUTH_REDIRECT_URI,
      scopes: e.CLAUDE_OAUTH_SCOPES.trim().split(/\s+/).join(' '),
      usageUrl: e.CLAUDE_OAUTH_USAGE_URL,
      profileUrl: e.CLAUDE_OAUTH_PROFILE_URL,
    }),
    openaiApiUrl: e.OPENAI_API_URL.replace(/\/+$/, ''),
    codexApiUrl: e.CODEX_API_URL.replace(/\/+$/, ''),
    openaiOAuth: Object.freeze({
      authorizeUrl: e.OPENAI_OAUTH_AUTHORIZE_URL,
      tokenUrl: e.OPENAI_OAUTH_TOKEN_URL,
      clientId: e.OPENAI_OAUTH_CLIENT_ID,
      redirectUri: e.OPENAI_OAUTH_REDIRECT_URI,
      scopes: e.OPENAI_OAUTH_SCOPES.trim().split(/\s+/).join(' '),
    }),
    geminiApiUrl: e.GEMINI_API_URL.replace(/\/+$/, ''),
    codeAssistApiUrl: e.CODE_ASSIST_API_URL.replace(/\/+$/, ''),
    geminiOAuth: Object.freeze({
      authorizeUrl: e.GEMINI_OAUTH_AUTHORIZE_URL,
      tokenUrl: e.GEMINI_OAUTH_TOKEN_URL,
      clientId: e.GEMINI_OAUTH_CLIENT_ID,
      clientSecret: e.GEMINI_OAUTH_CLIENT_SECRET ?? '',
      redirectUri: e.GEMINI_OAUTH_REDIRECT_URI,
      scopes: e.GEMINI_OAUTH_SCOPES.trim().split(/\s+/).join(' '),
    }),
    log: {
      dir: e.LOG_FILE ? (e.LOG_DIR ? resolve(cwd, e.LOG_DIR) : join(dataDir, 'logs')) : null,
      stdout: e.LOG_STDOUT,
      retentionDays: e.LOG_RETENTION_DAYS,
    },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    metricsToken: e.METRICS_TOKEN ?? null,
    metricsPublic: e.METRICS_PUBLIC,
    metricsBind: e.METRICS_BIND ? splitHostPort(e.METRICS_BIND) : null,
  });
}

function isReadableFile(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** `host:port` or `[v6]:port` (already checked by the schema). */
function splitHostPort(v: string): { host: string; port: number } {
  const i = v.lastIndexOf(':');
  return { host: v.slice(0, i).replace(/^\[(.*)\]$/, '$1'), port: Number(v.slice(i + 1)) };
}
