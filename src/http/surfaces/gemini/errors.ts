// Google's error shape `{error:{code, message, status, details}}` (PROTOCOLS 5.5) for the relay's own errors: as
// JSON, or as one SSE event (`data: {…}` and a blank line, CLIENTS 3.2) once a stream has started. The only place
// relay errors become Gemini wire errors.
import type { RelayError } from '../../../core/errors.js';
import type { ErrorRenderer } from '../../../relay/types.js';

const STATUS_NAME: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  402: 'RESOURCE_EXHAUSTED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  410: 'NOT_FOUND',
  413: 'INVALID_ARGUMENT',
  415: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** The google.rpc status name of an HTTP status. */
export function googleStatus(status: number): string {
  return STATUS_NAME[status] ?? (status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT');
}

const KEY_HINT = 'send it as x-goog-api-key, the key query parameter or Authorization: Bearer';

function body(err: RelayError) {
  const message = err.code === 'KEY_MISSING' ? `Missing API key: ${KEY_HINT}` : err.message;
  const details: Record<string, unknown>[] = [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: err.code, domain: 'claude-relay-service' }];
  if (err.retryAfterSec !== undefined) {
    details.push({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${Math.max(1, Math.ceil(err.retryAfterSec))}s` });
  }
  return { error: { code: err.status, message, status: googleStatus(err.status), details } };
}

export const geminiErrors: ErrorRenderer = {
  json(err, requestId) {
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=UTF-8', 'x-request-id': requestId };
    if (err.retryAfterSec !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(err.retryAfterSec)));
    return { status: err.status, headers, body: JSON.stringify(body(err)) };
  },
  sseEvent: (err) => `data: ${JSON.stringify(body(err))}\n\n`,
};
