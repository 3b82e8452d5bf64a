// Behaviour types of the fake's OpenAI personality (Chat Completions, Responses, ChatGPT Codex backend).
// They go through the same queue as the Anthropic ones: `fake.enqueue(b, { endpoint, apiKey, times })`.
import type { StreamKnobs } from './behaviours.js';

/**
 * Transport knobs of OpenAI SSE replies (ignored for non-stream requests). An "event" is one `data:` line
 * (Chat) or one `event:`+`data:` pair (Responses); `[DONE]` does not count.
 */
export interface OpenAIStreamKnobs extends Pick<StreamKnobs, 'chunking' | 'seed' | 'delayMs' | 'crlf'> {
  /** After this many events, destroy the socket (no terminal event, no `[DONE]`, no chunked terminator). */
  dropAfterEvents?: number;
}

/** Partial override of the Chat Completions `usage` object (PROTOCOLS 4.2); `total_tokens` is always the sum. */
export interface ChatUsageOverride {
  /** Includes `cached_tokens`, as on the real API. Default: {@link countChatPromptTokens}. */
  prompt_tokens?: number;
  /** Default: words of the answer text + 1 per tool call (+ `reasoning_tokens`). */
  completion_tokens?: number;
  /** `prompt_tokens_details.cached_tokens` (default 0); must not exceed `prompt_tokens`. */
  cached_tokens?: number;
  /** `prompt_tokens_details.cache_write_tokens` (omitted unless given). */
  cache_write_tokens?: number;
  /** `completion_tokens_details.reasoning_tokens` (default 0). */
  reasoning_tokens?: number;
}

/**
 * How the `tool_calls` scenario streams its calls: `'sequential'` (default) = each call's head then its argument
 * fragments; `'interleaved'` = all heads, then the fragments of the calls alternating; `'single_chunk'` = every
 * call complete in one chunk.
 */
export type ToolCallStreaming = 'sequential' | 'interleaved' | 'single_chunk';

/** A tool call the fake should make instead of the generated ones. */
export interface ToolCallSpec {
  name: string;
  /** Object (JSON-encoded by the fake) or the exact `arguments` string. */
  arguments?: Record<string, unknown> | string;
}

/**
 * Answer `POST /v1/chat/completions` with 200 (JSON, or SSE when the body has `stream: true`). Default endpoint
 * `'chat_completions'`. Usage: `fake.enqueue({ kind: 'chat_reply', scenario: 'tool_calls' })`.
 */
export interface ChatReplyBehaviour {
  kind: 'chat_reply';
  /**
   * `'text'` (default): `echo: <last user message text, ≤ 200 chars>`, finish_reason `stop`.
   * `'tool_calls'`: one call per function tool of the request (only the first when `parallel_tool_calls: false`;
   * arguments = the schema's required properties with placeholder values); without tools two `get_weather` calls
   * (Paris, Rome). `content: null`, finish_reason `tool_calls`.
   * `'length'`: the echo cut to `max_completion_tokens ?? max_tokens` words, finish_reason `length`,
   * completion_tokens = that limit.
   */
  scenario?: 'text' | 'tool_calls' | 'length';
  /** Answer text instead of the echo. */
  text?: string;
  /** Calls of the `tool_calls` scenario instead of the generated ones. */
  toolCalls?: ToolCallSpec[];
  /** See {@link ToolCallStreaming}. */
  toolCallStreaming?: ToolCallStreaming;
  usage?: ChatUsageOverride;
  /**
   * After this many chunks, send `data: {"error":{message,type,param,code}}` and end the response (no `[DONE]`).
   * `error` overrides fields of that object (default type `server_error`, code null).
   */
  errorAfterEvents?: number;
  error?: { message?: string; type?: string; param?: string | null; code?: string | null };
  /** Leave out the final `data: [DONE]`. */
  omitDone?: boolean;
  /** Extra response headers (override generated ones with the same name). */
  headers?: Record<string, string>;
  /** Wait this long before sending the response head. */
  headersDelayMs?: number;
  /** gzip the body when the request's `accept-encoding` allows it. */
  gzip?: boolean;
  stream?: OpenAIStreamKnobs;
}

/** Override of the Responses `usage` (PROTOCOLS 4.5.2); `total_tokens` = input + output unless given. */
export interface ResponsesUsageOverride {
  /** Includes `cached_tokens`. Default: {@link countResponsesInputTokens}. */
  input_tokens?: number;
  /** `input_tokens_details.cached_tokens` (default 0). */
  cached_tokens?: number;
  /** Default: answer words + 1 per function call + reasoning tokens. */
  output_tokens?: number;
  /** `output_tokens_details.reasoning_tokens`; default: summary words + 1 for the reasoning scenario, else 0. */
  reasoning_tokens?: number;
  total_tokens?: number;
}

/**
 * A `response.failed` terminal event (`response.status: "failed"`, `response.error: {code, message}`), e.g. code
 * `rate_limit_exceeded` (default message "Rate limit reached … Please try again in 1.5s."), `insufficient_quota`,
 * `context_length_exceeded`, `server_error`, or `usage_limit_reached` (then `error` also carries `type`,
 * `plan_type`, `resets_at`, `resets_in_seconds` like the Codex backend's 429 body).
 */
export interface ResponsesFailure {
  code: string;
  message?: string;
  /** Events sent before it (0 = it is the first event of the stream). Default 2 (after created, in_progress). */
  afterEvents?: number;
  /** `resets_in_seconds` of a `usage_limit_reached` failure (default: the plan's primary window reset). */
  resetsInSeconds?: number;
  /** Extra fields merged into `response.error`. */
  extra?: Record<string, unknown>;
}

/**
 * Answer `POST /v1/responses[/compact]` or `/backend-api/codex/responses[/compact]` with 200: the Response object
 * (JSON), or the event sequence of PROTOCOLS 4.5.3 when the body has `stream: true` (`event:` lines, a
 * `sequence_number` from 0, one `response.output_item.done` per item, then `response.completed` with `id` and
 * integer `usage`). Default endpoint: both `'responses'` and `'codex_responses'`.
 */
export interface ResponsesReplyBehaviour {
  kind: 'responses_reply';
  /**
   * `'text'` (default): one message item with `echo: <last user text, ≤ 200 chars>`.
   * `'function_call'`: one function_call item calling the request's first `type: "function"` tool (arguments =
   * required properties with placeholder values), or `get_weather {"city":"Paris"}` when there is none.
   * `'reasoning'`: a reasoning item (summary text; `encrypted_content` when the request's `include` has
   * `reasoning.encrypted_content`, else null) followed by the text message.
   * `'incomplete'`: the text message cut to 3 words, terminal `response.incomplete` with
   * `incomplete_details.reason: "max_output_tokens"`.
   */
  scenario?: 'text' | 'function_call' | 'reasoning' | 'incomplete';
  text?: string;
  /** Function call of the `function_call` scenario instead of the generated one. */
  functionCall?: ToolCallSpec;
  usage?: ResponsesUsageOverride;
  /** End with `response.failed` instead of completing; see {@link ResponsesFailure}. */
  failed?: ResponsesFailure;
  /** A bare `error` event `{type:"error", code, message, param, sequence_number}` after `afterEvents` events, then the end. */
  errorEvent?: { code?: string; message?: string; param?: string | null; afterEvents?: number };
  /** End the stream cleanly after the last `response.output_item.done`, without `response.completed`. */
  omitCompleted?: boolean;
  /** Write `data:` lines only (no `event:` lines). */
  noEventLines?: boolean;
  /** Append `data: [DONE]` (some proxies do; the real API does not). */
  doneSentinel?: boolean;
  /** Codex backend only: overrides of the plan usage shown in the `x-codex-*` headers of this answer. */
  codexUsage?: Partial<CodexPlanUsage>;
  headers?: Record<string, string>;
  headersDelayMs?: number;
  gzip?: boolean;
  stream?: OpenAIStreamKnobs;
}

/**
 * The ChatGPT plan's usage windows, shown in the `x-codex-*` headers of every backend answer and by
 * `GET /backend-api/wham/usage`. Live default in `fake.openaiOAuth.planUsage`.
 */
export interface CodexPlanUsage {
  /** 5-hour window, percent used (0–100). Default 3. */
  primaryUsedPercent: number;
  /** Seconds until the 5-hour window resets. Default 15858. */
  primaryResetAfterSeconds: number;
  /** Weekly window, percent used. Default 9. */
  secondaryUsedPercent: number;
  /** Seconds until the weekly window resets. Default 489450. */
  secondaryResetAfterSeconds: number;
  /**
   * Which reset header(s) to send: `'at'` (default, newer: `x-codex-*-reset-at` epoch s), `'after'` (older:
   * `x-codex-*-reset-after-seconds`) or `'both'`.
   */
  resetHeaders: 'at' | 'after' | 'both';
}

export const DEFAULT_PLAN_USAGE: Readonly<CodexPlanUsage> = {
  primaryUsedPercent: 3,
  primaryResetAfterSeconds: 15858,
  secondaryUsedPercent: 9,
  secondaryResetAfterSeconds: 489450,
  resetHeaders: 'at',
};
