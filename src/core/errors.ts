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
  // routing and upstream
  NO_ACCOUNT: entry(503, 'No upstream account is available for this request'),
  UPSTREAM_UNREACHABLE: entry(502, 'Upstream is unreachable'),
  UPSTREAM_TIMEOUT: entry(504, 'Upstream did not answer in time'),
  UPSTREAM_STREAM_ERROR: entry(502, 'Upstream stream ended with an error'),
  UPSTREAM_BAD_RESPONSE: entry(502, 'Upstream sent a response the relay could not read'),
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
