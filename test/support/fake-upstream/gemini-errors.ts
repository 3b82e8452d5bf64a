// Google's RPC error answers (PROTOCOLS 5.5) of the Gemini personality, for its own checks and for the shared
// `{ kind: 'error' }` behaviour (field mapping documented in gemini-behaviours.ts).
import type { ErrorBehaviour } from './behaviours.js';
import { type RequestContext, sendJson } from './respond.js';

const STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

export const googleStatus = (code: number): string => STATUS[code] ?? (code >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION');

const DEFAULT_MESSAGE: Record<string, string> = {
  INVALID_ARGUMENT: 'Request contains an invalid argument.',
  UNAUTHENTICATED: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
  PERMISSION_DENIED: 'The caller does not have permission',
  NOT_FOUND: 'Requested entity was not found.',
  RESOURCE_EXHAUSTED: 'Resource has been exhausted (e.g. check quota).',
  INTERNAL: 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
  UNAVAILABLE: 'The model is overloaded. Please try again later.',
  DEADLINE_EXCEEDED: 'Deadline expired before operation could complete.',
};

export const API_KEY_INVALID_MESSAGE = 'API key not valid. Please pass a valid API key.';

export interface GoogleErrorSpec {
  code: number;
  message?: string;
  status?: string;
  reason?: string;
  /** RetryInfo.retryDelay, in seconds. */
  retryDelaySec?: number;
  /** Code Assist style: ErrorInfo.metadata.quotaResetDelay (seconds). */
  quotaResetDelaySec?: number;
  domain?: string;
}

export function googleErrorBody(s: GoogleErrorSpec): { error: Record<string, unknown> } {
  const status = s.status ?? googleStatus(s.code);
  const details: Record<string, unknown>[] = [];
  if (s.reason) {
    const metadata: Record<string, string> = { service: s.domain ?? 'generativelanguage.googleapis.com' };
    if (s.quotaResetDelaySec !== undefined) metadata.quotaResetDelay = `${s.quotaResetDelaySec}s`;
    details.push({ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: s.reason, domain: 'googleapis.com', metadata });
  }
  if (s.retryDelaySec !== undefined) details.push({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${s.retryDelaySec}s` });
  const message = s.message ?? (s.reason === 'API_KEY_INVALID' ? API_KEY_INVALID_MESSAGE : (DEFAULT_MESSAGE[status] ?? status));
  return { error: { code: s.code, message, status, ...(details.length ? { details } : {}) } };
}

export function sendGoogleError(ctx: RequestContext, s: GoogleErrorSpec, headers: Record<string, string> = {}): void {
  sendJson(ctx, s.code, googleErrorBody(s), { 'content-type': 'application/json; charset=UTF-8', ...headers });
}

/** The shared error behaviour as a Google error (`codeAssist` adds Code Assist's quotaResetDelay on 429s). */
export function specFor(b: ErrorBehaviour, codeAssist: boolean): GoogleErrorSpec {
  const is429 = b.status === 429;
  const retry = b.retryAfter ?? (is429 ? 30 : undefined);
  return {
    code: b.status,
    status: b.type,
    message: b.message,
    reason: b.code ?? (is429 ? 'RATE_LIMIT_EXCEEDED' : undefined),
    retryDelaySec: retry,
    quotaResetDelaySec: codeAssist && is429 ? retry : undefined,
    domain: codeAssist ? 'cloudcode-pa.googleapis.com' : undefined,
  };
}
