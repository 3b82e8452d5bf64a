// The environment schema: every variable the relay reads, with its default and its rule.
import { z } from 'zod';
import { parseTrustProxy } from './trust-proxy.js';

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' }).transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) =>
  z.coerce
    .number({ message: 'must be a number' })
    .int('must be an integer')
    .min(min, `must be between ${min} and ${max}`)
    .max(max, `must be between ${min} and ${max}`);

/** `host:port,host:port` (IPv6 as `[addr]:port`). */
const hostPorts = z
  .string()
  .regex(/^\s*(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}\s*(,\s*(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}\s*)*$/, 'must be host:port[,host:port…]');

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  BIND_HOST: z.string().min(1).optional(),
  /** Accepted as a fallback for BIND_HOST (the reference project's name). */
  HOST: z.string().min(1).optional(),
  PORT: int(0, 65535).default(3000),
  DATA_DIR: z.string().min(1).default('./data'),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  ENCRYPTION_KEY: z.string().length(32, 'must be exactly 32 characters').optional(),
  ADMIN_USERNAME: z
    .string()
    .regex(/^[A-Za-z0-9_.@-]{3,64}$/, 'must be 3-64 letters, digits or _.@-')
    .optional(),
  ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').max(256).optional(),
  ADMIN_SESSION_HOURS: int(1, 24 * 30).default(24),
  /**
   * Extra CA certificates (PEM) Node trusts for upstream TLS (intranets that inspect TLS). Node reads it from the
   * process environment at start only; named here so the file is checked and a value only in .env is reported.
   */
  NODE_EXTRA_CA_CERTS: z.string().min(1).optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional(),
  REDIS_HOST: z.string().min(1).optional(),
  REDIS_PORT: int(1, 65535).default(6379),
  REDIS_PASSWORD: z.string().optional(),
  REDIS_DB: int(0, 1024).default(0),
  /** Default `crs:`, on Cluster `{crs}:` (a hash tag: every key in one slot, so scripts and transactions hold). */
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_:.{}-]{0,64}$/, 'must be up to 64 letters, digits or _:.-{}')
    .optional(),
  /** Sentinel: `host:port,…` of the sentinels, the master set's name, and the sentinels' own password if any. */
  REDIS_SENTINELS: hostPorts.optional(),
  REDIS_SENTINEL_NAME: z.string().min(1).default('mymaster'),
  REDIS_SENTINEL_PASSWORD: z.string().optional(),
  /** Cluster: `host:port,…` of some of its nodes. */
  REDIS_CLUSTER_NODES: hostPorts.optional(),
  /** A Redis command not answered in this time fails (503) instead of holding the request. */
  REDIS_COMMAND_TIMEOUT_MS: int(100, 600_000).default(5000),
  FAILOVER_MAX_ATTEMPTS: int(1, 20).default(3),
  STICKY_SESSION_TTL_HOURS: z.coerce.number({ message: 'must be a number of hours' }).min(0.01).max(720).default(1),
  STICKY_SESSION_RENEWAL_THRESHOLD_MINUTES: int(0, 43_200).default(15),
  COOLDOWN_RATE_LIMITED_SEC: int(1, 604_800).default(3600),
  COOLDOWN_THROTTLED_SEC: int(1, 86_400).default(15),
  COOLDOWN_OVERLOADED_SEC: int(1, 86_400).default(60),
  COOLDOWN_SERVER_ERROR_SEC: int(1, 86_400).default(60),
  COOLDOWN_NETWORK_SEC: int(1, 86_400).default(30),
  COOLDOWN_UNAUTHORIZED_SEC: int(1, 604_800).default(1800),
  COOLDOWN_FORBIDDEN_SEC: int(1, 86_400).default(60),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TIMEZONE_OFFSET: z.coerce
    .number({ message: 'must be a number of hours' })
    .min(-12, 'must be between -12 and 14')
    .max(14, 'must be between -12 and 14')
    .refine((v) => Number.isInteger(v * 4), 'must be a whole number of quarter hours')
    .default(8),
  REQUEST_MAX_SIZE_MB: int(1, 1024).default(32),
  UPSTREAM_TIMEOUT_MS: int(1000, 3_600_000).default(600_000),
  ANTHROPIC_API_URL: z.url({ message: 'must be an http(s) URL' }).default('https://api.anthropic.com'),
  PRICING_FILE: z.string().min(1).optional(),
  /** true/false (1 hop / none), a hop count, or proxy addresses/CIDRs (see config/trust-proxy.ts). */
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((v, ctx) => {
      const t = parseTrustProxy(v);
      if (t === null) ctx.addIssue({ code: 'custom', message: 'must be true, false, a hop count or a comma-separated list of proxy addresses/CIDRs' });
      return t ?? false;
    }),
  /** Client connections (see README "Configuration"): header and whole-request receive times, idle keep-alive, cap. */
  HEADERS_TIMEOUT_MS: int(1000, 600_000).default(30_000),
  REQUEST_TIMEOUT_MS: int(1000, 3_600_000).default(120_000),
  KEEP_ALIVE_TIMEOUT_MS: int(1000, 600_000).default(65_000),
  MAX_CONNECTIONS: int(0, 1_000_000).default(4096),
  /** scrypt cost (N) of new admin password hashes; OWASP's figure by default. */
  ADMIN_SCRYPT_N: int(16_384, 1_048_576)
    .refine((n) => (n & (n - 1)) === 0, 'must be a power of two')
    .default(131_072),
  /** Claude subscription OAuth (PROTOCOLS 3.1, 3.2); overridable so tests run the flow against a fake. */
  CLAUDE_OAUTH_AUTHORIZE_URL: z.url({ message: 'must be an http(s) URL' }).default('https://claude.ai/oauth/authorize'),
  CLAUDE_OAUTH_TOKEN_URL: z.url({ message: 'must be an http(s) URL' }).default('https://platform.claude.com/v1/oauth/token'),
  CLAUDE_OAUTH_CLIENT_ID: z.string().min(1).default('9d1c250a-e61b-44d9-88ed-5944d1962f5e'),
  CLAUDE_OAUTH_REDIRECT_URI: z.url({ message: 'must be a URL' }).default('https://platform.claude.com/oauth/code/callback'),
  CLAUDE_OAUTH_SCOPES: z.string().min(1).default('org:create_api_key user:profile user:inference user:sessions:claude_code user:mcp_servers user:file_upload'),
  CLAUDE_OAUTH_USAGE_URL: z.url({ message: 'must be an http(s) URL' }).default('https://api.anthropic.com/api/oauth/usage'),
  CLAUDE_OAUTH_PROFILE_URL: z.url({ message: 'must be an http(s) URL' }).default('https://api.anthropic.com/api/oauth/profile'),
  /** OpenAI API root as the OpenAI SDKs take it (ending in /v1), for openai-api accounts without their own base URL. */
  OPENAI_API_URL: z.url({ message: 'must be an http(s) URL' }).default('https://api.openai.com/v1'),
  /** The ChatGPT backend's Codex root, for openai-oauth (ChatGPT/Codex subscription) accounts. */
  CODEX_API_URL: z.url({ message: 'must be an http(s) URL' }).default('https://chatgpt.com/backend-api/codex'),
  /** ChatGPT/Codex subscription OAuth (PROTOCOLS 3.3); overridable so tests run the flow against a fake. */
  OPENAI_OAUTH_AUTHORIZE_URL: z.url({ message: 'must be an http(s) URL' }).default('https://auth.openai.com/oauth/authorize'),
  OPENAI_OAUTH_TOKEN_URL: z.url({ message: 'must be an http(s) URL' }).default('https://auth.openai.com/oauth/token'),
  OPENAI_OAUTH_CLIENT_ID: z.string().min(1).default('app_EMoamEEZ73f0CkXaXp7hrann'),
  OPENAI_OAUTH_REDIRECT_URI: z.url({ message: 'must be a URL' }).default('http://localhost:1455/auth/callback'),
  OPENAI_OAUTH_SCOPES: z.string().min(1).default('openid profile email offline_access'),
  /** Gemini Developer API root (no version), for gemini-api accounts without their own base URL. */
  GEMINI_API_URL: z.url({ message: 'must be an http(s) URL' }).default('https://generativelanguage.googleapis.com'),
  /** Code Assist root (Gemini CLI's Google login), for gemini-oauth accounts. */
  CODE_ASSIST_API_URL: z.url({ message: 'must be an http(s) URL' }).default('https://cloudcode-pa.googleapis.com'),
  /** Google OAuth of Gemini CLI (PROTOCOLS 3.4); the client secret is the installed app's, public by Google's design. */
  GEMINI_OAUTH_AUTHORIZE_URL: z.url({ message: 'must be an http(s) URL' }).default('https://accounts.google.com/o/oauth2/v2/auth'),
  GEMINI_OAUTH_TOKEN_URL: z.url({ message: 'must be an http(s) URL' }).default('https://oauth2.googleapis.com/token'),
  GEMINI_OAUTH_CLIENT_ID: z.string().min(1).default('681255809395-oo8ft2oprdrnp9e3aqf6av3hmdib135j.apps.googleusercontent.com'),
  /**
   * The installed-app secret of Gemini CLI's OAuth client (Google treats it as public; it is in Gemini CLI's
   * source). Not bundled: set it to use gemini-oauth accounts.
   */
  GEMINI_OAUTH_CLIENT_SECRET: z.string().min(1).optional(),
  GEMINI_OAUTH_REDIRECT_URI: z.url({ message: 'must be a URL' }).default('https://codeassist.google.com/authcode'),
  GEMINI_OAUTH_SCOPES: z
    .string()
    .min(1)
    .default('https://www.googleapis.com/auth/cloud-platform https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile'),
  /** Log files (JSON, one per day) go here; default DATA_DIR/logs. */
  LOG_DIR: z.string().min(1).optional(),
  LOG_FILE: bool.default(true),
  LOG_STDOUT: bool.default(true),
  LOG_RETENTION_DAYS: int(1, 3650).default(14),
  SHUTDOWN_TIMEOUT_MS: int(0, 3_600_000).default(30_000),
  /** When set, GET /metrics requires `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Serve /metrics without a token on the main port (it names keys and accounts with their cost). */
  METRICS_PUBLIC: bool.default(false),
  /** `host:port` of a separate listener for /metrics (then not served on the main port). */
  METRICS_BIND: z
    .string()
    .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:9464')
    .optional(),
});

/** Rules across variables; checked on the raw values so they are reported together with field errors. */
export function crossFieldProblems(raw: Record<string, string>): string[] {
  const problems: string[] = [];
  // ADMIN_USERNAME / ADMIN_PASSWORD may each be left blank: the first start generates what is missing (init.json).
  if (Number(raw.HEADERS_TIMEOUT_MS ?? 30_000) > Number(raw.REQUEST_TIMEOUT_MS ?? 120_000)) {
    problems.push('HEADERS_TIMEOUT_MS: must not be longer than REQUEST_TIMEOUT_MS');
  }
  if (raw.REDIS_SENTINELS && raw.REDIS_CLUSTER_NODES) problems.push('REDIS_CLUSTER_NODES: set either REDIS_SENTINELS or REDIS_CLUSTER_NODES, not both');
  if (raw.REDIS_CLUSTER_NODES) {
    if (raw.REDIS_DB !== undefined && Number(raw.REDIS_DB) !== 0) problems.push('REDIS_DB: must be 0 on Redis Cluster');
    // Redis hashes the text between the key's first '{' and the next '}' when it is not empty.
    const p = raw.REDIS_KEY_PREFIX;
    if (p !== undefined && !(p.indexOf('{') >= 0 && p.indexOf('}', p.indexOf('{')) > p.indexOf('{') + 1)) {
      problems.push("REDIS_KEY_PREFIX: on Redis Cluster it must hold a hash tag, e.g. {crs}:, so the relay's keys share one slot");
    }
  }
  if (raw.NODE_ENV === 'production') {
    for (const name of ['JWT_SECRET', 'ENCRYPTION_KEY']) {
      if (raw[name] === undefined) problems.push(`${name}: is required when NODE_ENV=production (run ./init-env.sh)`);
    }
  }
  return problems;
}

export type Env = z.infer<typeof envSchema>;
