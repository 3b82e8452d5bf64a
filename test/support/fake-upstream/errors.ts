// Anthropic error bodies and error-specific headers (PROTOCOLS 1.6).

/** `error.type` for an HTTP status, per the docs table; unknown 4xx → invalid_request_error, other 5xx → api_error. */
export function errorTypeForStatus(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

const DEFAULT_MESSAGES: Record<string, string> = {
  invalid_request_error: 'Invalid request.',
  authentication_error: 'invalid x-api-key',
  billing_error: 'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.',
  permission_error: 'Your API key does not have permission to use the specified resource.',
  not_found_error: 'Not found',
  request_too_large: 'Request exceeds the maximum allowed number of bytes.',
  rate_limit_error: "This request would exceed your account's rate limit. Please try again later.",
  api_error: 'Internal server error',
  overloaded_error: 'Overloaded',
};

/** A realistic default `error.message` for an error type. */
export const defaultErrorMessage = (type: string): string => DEFAULT_MESSAGES[type] ?? 'Error';

/** The wire JSON of an Anthropic error response. */
export function errorBody(type: string, message: string, requestId: string): string {
  return JSON.stringify({ type: 'error', error: { type, message }, request_id: requestId });
}

/** The `data:` payload of a mid-stream `event: error`. */
export function errorEventData(type: string, requestId: string): Record<string, unknown> {
  return { type: 'error', error: { type, message: defaultErrorMessage(type) }, request_id: requestId };
}

/** `retry-after` / `x-should-retry` defaults: 429 → 30 s, 529 → 1 s, both retryable; others get none. */
export function retryHeaders(status: number, opts: { retryAfter?: number; shouldRetry?: boolean; fallbackRetryAfter?: number }): Record<string, string> {
  const h: Record<string, string> = {};
  const retryable = status === 429 || status === 529;
  const retryAfter = opts.retryAfter ?? (status === 429 ? (opts.fallbackRetryAfter ?? 30) : status === 529 ? 1 : undefined);
  if (retryAfter !== undefined) h['retry-after'] = String(retryAfter);
  const shouldRetry = opts.shouldRetry ?? (retryable ? true : undefined);
  if (shouldRetry !== undefined) h['x-should-retry'] = String(shouldRetry);
  return h;
}
