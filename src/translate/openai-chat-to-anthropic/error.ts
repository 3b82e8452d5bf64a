// OpenAI error bodies (§4.4): the one status → type/code table, and Anthropic errors mapped onto it.
import { tryParseJson } from '../../platform/json-fields.js';

export interface ChatErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

interface OpenAiErrorKind {
  type: string;
  code: string | null;
}

/** HTTP status → the OpenAI error type and code clients see (openai-node picks its error class by status). */
const KIND_BY_STATUS: Record<number, OpenAiErrorKind> = {
  400: { type: 'invalid_request_error', code: null },
  401: { type: 'invalid_request_error', code: 'invalid_api_key' },
  402: { type: 'insufficient_quota', code: 'insufficient_quota' },
  403: { type: 'invalid_request_error', code: null },
  404: { type: 'invalid_request_error', code: null },
  409: { type: 'invalid_request_error', code: null },
  413: { type: 'invalid_request_error', code: 'request_too_large' },
  415: { type: 'invalid_request_error', code: null },
  429: { type: 'requests', code: 'rate_limit_exceeded' },
};

/** The OpenAI error type and code for an HTTP status; every 5xx is a `server_error`. */
export function openAiErrorKind(status: number): OpenAiErrorKind {
  return KIND_BY_STATUS[status] ?? (status >= 500 ? { type: 'server_error', code: null } : { type: 'invalid_request_error', code: null });
}

/** An OpenAI-shaped error body for the relay's own errors; `opts` overrides the status defaults. */
export function openAiErrorBody(status: number, message: string, opts: { type?: string; param?: string | null; code?: string | null } = {}): ChatErrorBody {
  const kind = openAiErrorKind(status);
  return {
    error: {
      message,
      type: opts.type ?? kind.type,
      param: opts.param ?? null,
      code: opts.code === undefined ? kind.code : opts.code,
    },
  };
}

/** Anthropic error type → the status it stands for (the type wins when the HTTP status is unusual). */
const STATUS_BY_ANTHROPIC_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  // 529 has no OpenAI meaning; 503 keeps it retryable for OpenAI SDKs (they retry every 5xx).
  overloaded_error: 503,
};

function decode(body: unknown): unknown {
  if (typeof body === 'string') return tryParseJson(body);
  if (body instanceof Uint8Array) return decode(new TextDecoder().decode(body));
  return body;
}

function anthropicError(body: unknown): { type?: string; message?: string } {
  const parsed = decode(body);
  if (typeof parsed !== 'object' || parsed === null) return {};
  const err = (parsed as { error?: unknown }).error;
  if (typeof err !== 'object' || err === null) return {};
  const { type, message } = err as { type?: unknown; message?: unknown };
  return { type: typeof type === 'string' ? type : undefined, message: typeof message === 'string' ? message : undefined };
}

/**
 * Converts an Anthropic error answer (`{type:"error", error:{type, message}}`, as text, bytes or parsed JSON) into
 * the OpenAI error shape. The upstream status is kept except 529 → 503; a body that is not an Anthropic error
 * gets a generic message (it may be an HTML page from a proxy, not something to show a client).
 */
export function anthropicErrorToChat(status: number, body: unknown): { status: number; body: ChatErrorBody } {
  const { type, message } = anthropicError(body);
  const typeStatus = type !== undefined ? STATUS_BY_ANTHROPIC_TYPE[type] : undefined;
  const outStatus = status === 529 ? 503 : status >= 400 && status <= 599 ? status : (typeStatus ?? 502);
  const kind = openAiErrorKind(typeStatus ?? outStatus);
  const text = message ?? `Upstream error (HTTP ${status})`;
  let code = kind.code;
  // Anthropic answers 404 for an unknown model; OpenAI clients recognise that case by its code.
  if (type === 'not_found_error' && /model/i.test(text)) code = 'model_not_found';
  // An upstream 401 is about the relay's account credential, not the client's key: no invalid_api_key code.
  if ((typeStatus ?? outStatus) === 401) code = null;
  return { status: outStatus, body: { error: { message: text, type: kind.type, param: null, code } } };
}

/** An Anthropic `event: error` payload → the `error` object of an OpenAI stream error chunk. */
export function anthropicStreamErrorToChat(data: unknown): { message: string; type: string; code: null } {
  const { type, message } = anthropicError(data);
  const status = (type !== undefined ? STATUS_BY_ANTHROPIC_TYPE[type] : undefined) ?? 500;
  return { message: message ?? 'upstream stream failed', type: openAiErrorKind(status).type, code: null };
}
