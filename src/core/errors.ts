// The one error catalogue: stable codes with an HTTP status and default message. Each API surface renders
// a RelayError into its own wire shape in exactly one function (http/surfaces/*/errors.ts, http/admin/errors.ts).

interface CatalogueEntry {
  readonly status: number;
  readonly message: string;
}

const entry = (status: number, message: string): CatalogueEntry => ({ status, message });

export const ERROR_CATALOGUE = {
  // client authentication (relay keys)
  KEY_MISSING: entry(401, 'Missing API key: send it as x-api-key or Authorization: Bearer'),
  KEY_INVALID: entry(401, 'Invalid API key'),
  KEY_DISABLED: entry(401, 'API key is disabled'),
  KEY_EXPIRED: entry(401, 'API key has expired'),
  // key limits (status codes the reference project's clients rely on)
  KEY_PERMISSION_DENIED: entry(403, 'This API key may not call this service'),
  KEY_MODEL_FORBIDDEN: entry(403, 'This API key may not use this model'),
  KEY_CLIENT_FORBIDDEN: entry(403, 'This API key may only be used from its allowed clients'),
  KEY_CONCURRENCY_LIMIT: entry(429, 'Concurrency limit exceeded for this API key'),
  KEY_RATE_LIMITED: entry(429, 'Rate limit exceeded for this API key'),
  KEY_DAILY_COST_LIMIT: entry(402, 'Daily cost limit reached for this API key'),
  KEY_WEEKLY_COST_LIMIT: entry(402, 'Weekly cost limit reached for this API key'),
  KEY_TOTAL_COST_LIMIT: entry(402, 'Total cost limit reached for this API key'),
  KEY_TOKEN_LIMIT: entry(402, 'Token limit reached for this API key'),
  // request shape
  BAD_JSON: entry(400, 'Request body is not valid JSON'),
  BAD_REQUEST: entry(400, 'Invalid request'),
  VALIDATION_FAILED: entry(400, 'Validation failed'),
  BODY_TOO_LARGE: entry(413, 'Request body is too large'),
  UNSUPPORTED_MEDIA_TYPE: entry(415, 'Content-Type must be application/json'),
  NOT_FOUND: entry(404, 'Not found'),
  CONFLICT: entry(409, 'Conflict'),
  // admin session
  ADMIN_UNAUTHORIZED: entry(401, 'Admin authentication required'),
  LOGIN_FAILED: entry(401, 'Invalid username or password'),
  LOGIN_RATE_LIMITED: entry(429, 'Too many login attempts; try again later'),
  CSRF_FAILED: entry(403, 'Missing or wrong x-csrf-token header for a cookie session'),
  RATE_LIMITED: entry(429, 'Too many requests; try again later'),
  // routing and upstream
  NO_ACCOUNT: entry(503, 'No upstream account is available for this request'),
  ACCOUNTS_RATE_LIMITED: entry(429, 'Every account that can serve this request is rate-limited; retry later'),
  DEDICATED_ACCOUNT_UNAVAILABLE: entry(503, 'The account this key is bound to is unavailable'),
  UPSTREAM_UNREACHABLE: entry(502, 'Upstream is unreachable'),
  UPSTREAM_TIMEOUT: entry(504, 'Upstream did not answer in time'),
  UPSTREAM_STREAM_ERROR: entry(502, 'Upstream stream ended with an error'),
  UPSTREAM_BAD_RESPONSE: entry(502, 'Upstream sent a response the relay could not read'),
  // subscription OAuth (admin flows)
  OAUTH_SESSION_EXPIRED: entry(410, 'The authorisation session has expired or was already used; start a new one'),
  OAUTH_INVALID_GRANT: entry(400, 'The provider refused the code or token (invalid, expired or already used)'),
  OAUTH_ENDPOINT_CHANGED: entry(502, 'The provider OAuth endpoint answered in an unexpected way; its address may have changed'),
  OAUTH_PROXY_UNREACHABLE: entry(502, 'The provider OAuth endpoint could not be reached through the proxy'),
  OAUTH_CLOUDFLARE_BLOCKED: entry(502, 'The provider OAuth endpoint refused the request with a browser challenge; try another proxy'),
  // infrastructure
  STORE_UNAVAILABLE: entry(503, 'Storage is unavailable'),
  SHUTTING_DOWN: entry(503, 'Relay is shutting down'),
  INTERNAL: entry(500, 'Internal error'),
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface RelayErrorOptions {
  /** Structured details (e.g. zod field errors) for admin surfaces. */
  details?: unknown;
  /** Seconds a client should wait before retrying; rendered as `retry-after`. */
  retryAfterSec?: number;
  cause?: unknown;
}

/** An error the relay itself raises; carries a stable code and the HTTP status it maps to. */
export class RelayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details?: unknown;
  readonly retryAfterSec?: number;

  constructor(code: ErrorCode, message?: string, options: RelayErrorOptions = {}) {
    const e = ERROR_CATALOGUE[code];
    super(message ?? e.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RelayError';
    this.code = code;
    this.status = e.status;
    this.details = options.details;
    this.retryAfterSec = options.retryAfterSec;
  }
}

export function isRelayError(e: unknown): e is RelayError {
  return e instanceof RelayError;
}
