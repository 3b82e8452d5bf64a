// The OpenAI error shape `{error:{message,type,param,code}}` (PROTOCOLS 4.4) for the relay's own errors: as JSON,
// as a Chat Completions stream chunk (`data: {"error":…}` then `[DONE]`), or as a Responses `error` event. The
// only place relay errors become OpenAI wire errors.
import type { ErrorCode, RelayError } from '../../../core/errors.js';
import type { ErrorRenderer } from '../../../relay/types.js';
import { openAiErrorBody } from '../../../translate/openai-chat-to-anthropic/error.js';

/** Stable OpenAI `code` values clients (Codex, the SDKs) recognise, for the catalogue codes that have one. */
const CODE_OF: Partial<Record<ErrorCode, string>> = {
  KEY_MISSING: 'missing_api_key',
  KEY_INVALID: 'invalid_api_key',
  KEY_DISABLED: 'invalid_api_key',
  KEY_EXPIRED: 'invalid_api_key',
  KEY_MODEL_FORBIDDEN: 'model_not_found',
  KEY_CONCURRENCY_LIMIT: 'rate_limit_exceeded',
  KEY_RATE_LIMITED: 'rate_limit_exceeded',
  ACCOUNTS_RATE_LIMITED: 'rate_limit_exceeded',
  KEY_DAILY_COST_LIMIT: 'insufficient_quota',
  KEY_WEEKLY_COST_LIMIT: 'insufficient_quota',
  KEY_TOTAL_COST_LIMIT: 'insufficient_quota',
  KEY_TOKEN_LIMIT: 'insufficient_quota',
};

function body(err: RelayError) {
  const param = err.code === 'BAD_REQUEST' || err.code === 'BAD_JSON' ? (/^([\w.[\]]+): /.exec(err.message)?.[1] ?? null) : null;
  return openAiErrorBody(err.status, err.message, { param, code: CODE_OF[err.code] ?? err.code.toLowerCase() });
}

function json(err: RelayError, requestId: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-request-id': requestId };
  if (err.retryAfterSec !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(err.retryAfterSec)));
  return { status: err.status, headers, body: JSON.stringify(body(err)) };
}

export const openaiChatErrors: ErrorRenderer = {
  json,
  sseEvent: (err) => `data: ${JSON.stringify(body(err))}\n\ndata: [DONE]\n\n`,
};

export const openaiResponsesErrors: ErrorRenderer = {
  json,
  sseEvent(err) {
    const e = body(err).error;
    return `event: error\ndata: ${JSON.stringify({ type: 'error', code: e.code, message: e.message, param: e.param, sequence_number: 0 })}\n\n`;
  },
};
