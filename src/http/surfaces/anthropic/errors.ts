// The Anthropic error shape: `{type:"error", error:{type, message}, request_id}`, and `event: error` once a
// stream has started. The only place relay errors become Anthropic wire errors.
import type { RelayError } from '../../../core/errors.js';
import { formatSseEvent } from '../../../platform/sse.js';
import type { ErrorRenderer } from '../../../relay/types.js';

const TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  409: 'invalid_request_error',
  413: 'request_too_large',
  415: 'invalid_request_error',
  429: 'rate_limit_error',
  529: 'overloaded_error',
};

export function anthropicErrorType(status: number): string {
  return TYPE_BY_STATUS[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

function body(err: RelayError, requestId: string) {
  return { type: 'error', error: { type: anthropicErrorType(err.status), message: err.message }, request_id: requestId };
}

export const anthropicErrors: ErrorRenderer = {
  json(err, requestId) {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'request-id': requestId };
    if (err.retryAfterSec !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(err.retryAfterSec)));
    return { status: err.status, headers, body: JSON.stringify(body(err, requestId)) };
  },
  sseEvent(err, requestId) {
    return formatSseEvent('error', body(err, requestId));
  },
};
