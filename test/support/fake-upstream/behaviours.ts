// Behaviour types of the fake upstream and the queue that picks one per request.
import type { ChatReplyBehaviour, ResponsesReplyBehaviour } from './openai-behaviours.js';
import type { GeminiReplyBehaviour } from './gemini-behaviours.js';

/** Content the fake generates for a successful reply. */
export type Scenario = 'text' | 'tool_use' | 'thinking' | 'redacted_thinking' | 'refusal' | 'max_tokens';

/**
 * Presets for the subscription ("unified") rate-limit header family of PROTOCOLS 1.8.3.
 * `rejected_*` put the named window in `rejected`; pair them with a 429 error behaviour.
 */
export type UnifiedPreset = 'allowed' | 'allowed_warning' | 'rejected_5h' | 'rejected_7d' | 'rejected_7d_opus' | 'overage_in_use';

/** Partial override of the Anthropic `usage` object; every given field replaces the computed one. */
export interface UsageOverride {
  input_tokens?: number;
  output_tokens?: number;
  /** When omitted but `cache_creation` is given, it is set to the breakdown's sum. */
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
  /** TTL breakdown of cache writes; a missing side counts as 0. Must sum to `cache_creation_input_tokens` if both are given. */
  cache_creation?: { ephemeral_5m_input_tokens?: number; ephemeral_1h_input_tokens?: number };
  service_tier?: 'standard' | 'priority' | 'batch' | null;
}

/** Transport knobs for SSE replies (ignored unless the request body has `stream: true`). */
export interface StreamKnobs {
  /**
   * How the SSE bytes are cut into socket writes: `'event'` one write per event (default), `'byte'` one byte
   * per write, a number = fixed write size in bytes, `'random'` = sizes from a seeded PRNG (see `seed`) plus
   * forced cuts inside a JSON line, inside a multi-byte UTF-8 character (when the stream has one) and
   * between the two line breaks that end an event.
   */
  chunking?: 'event' | 'random' | 'byte' | number;
  /** PRNG seed for `'random'` chunking (default 42), so failures are repeatable. */
  seed?: number;
  /** Delay in ms between writes (per chunk, not per event, when chunking is finer than events). */
  delayMs?: number;
  /**
   * Number of `ping` events (real payload `{"type": "ping"}`): one after the first content_block_start,
   * the rest after the following deltas.
   */
  pings?: number;
  /** Emit unknown event types (`event: foo_bar`) after message_start and after the first content_block_stop. */
  unknownEvents?: boolean;
  /** After this many events (pings and unknown events count), send `event: error` and end the response. */
  errorAfterEvents?: number;
  /** `error.type` of that mid-stream error event (default `overloaded_error`). */
  errorType?: string;
  /** After this many events, destroy the socket: no message_stop, no chunked terminator. */
  dropAfterEvents?: number;
  /** End every SSE line with CRLF instead of LF. */
  crlf?: boolean;
  /** Usage numbers shown in `message_start` instead of the final ones (to test delta-overwrite accounting). */
  startUsage?: UsageOverride;
}

/** Answer 200 with a generated Message (JSON, or SSE when the request asks for `stream: true`). */
export interface ReplyBehaviour {
  kind: 'reply';
  /** What to generate (default `'text'`). */
  scenario?: Scenario;
  /** Text of the answer's text block; default `echo: <last user message text, truncated to 200 chars>`. */
  text?: string;
  /** Usage override; see {@link UsageOverride}. */
  usage?: UsageOverride;
  /** Newer API shape: `message_delta.usage` repeats input and cache counts (SSE only). */
  usageInDelta?: boolean;
  /**
   * Emit newer nullable fields: `container`, `stop_details`, text `citations`, tool_use `caller`, usage
   * `server_tool_use`, `inference_geo`, `output_tokens_details`.
   */
  newerFields?: boolean;
  /** Extra response headers (override the generated ones with the same name). */
  headers?: Record<string, string>;
  /** Add the `anthropic-ratelimit-unified-*` header family with this preset. */
  unified?: UnifiedPreset;
  /** gzip the body when the request's `accept-encoding` allows it. */
  gzip?: boolean;
  /** Wait this long before sending the response head. */
  headersDelayMs?: number;
  /** SSE transport knobs. */
  stream?: StreamKnobs;
}

/**
 * Answer with an error JSON body, also for streaming requests. On Anthropic endpoints the body of PROTOCOLS 1.6;
 * on OpenAI endpoints `{error:{message,type,param,code}}` (4.4) with the `x-ratelimit-*` headers, e.g.
 * `{ kind: 'error', status: 429 }` (rate_limit_exceeded), `{ kind: 'error', status: 429, code: 'insufficient_quota' }`,
 * `{ kind: 'error', status: 503 }`; on the Codex backend `{ kind: 'error', status: 429, type: 'usage_limit_reached' }`
 * gives the plan's usage-limit body (`type, message, plan_type, resets_at, resets_in_seconds`).
 */
export interface ErrorBehaviour {
  kind: 'error';
  /** HTTP status (400–599). */
  status: number;
  /**
   * `error.type`. Anthropic default from the status table (400 invalid_request_error … 529 overloaded_error).
   * OpenAI default: 429 → `requests` (`insufficient_quota` for that code), ≥ 500 → `server_error`, else
   * `invalid_request_error`.
   */
  type?: string;
  /** `error.message`; a realistic default per type (OpenAI: per code / status). */
  message?: string;
  /**
   * OpenAI only: `error.code`. Default: 429 → `rate_limit_exceeded` (`insufficient_quota` when `type` says so),
   * 401 → `invalid_api_key`, 404 → `model_not_found`, else null.
   */
  code?: string | null;
  /** OpenAI only: `error.param` (default null). */
  param?: string | null;
  /** Codex `usage_limit_reached` only: `resets_in_seconds` (default: the plan's primary window reset). */
  resetsInSeconds?: number;
  /**
   * `retry-after` seconds. Anthropic default 30 for 429 (or the rejected unified window's reset), 1 for 529, none
   * otherwise. OpenAI: none unless given (it also sets `x-ratelimit-reset-requests` of a rate-limit 429).
   */
  retryAfter?: number;
  /** `x-should-retry` header. Anthropic default `true` for 429 and 529, absent otherwise; OpenAI: absent unless given. */
  shouldRetry?: boolean;
  /** Extra response headers. */
  headers?: Record<string, string>;
  /** Add the `anthropic-ratelimit-unified-*` header family with this preset. */
  unified?: UnifiedPreset;
  /** Wait this long before answering. */
  headersDelayMs?: number;
}

/** Never answer (or send the 200 head and then nothing), to exercise timeouts. */
export interface HangBehaviour {
  kind: 'hang';
  /** Send the response head (200, SSE content type for stream requests) before hanging. */
  afterHeaders?: boolean;
}

/** Destroy the socket without sending anything (the client sees a connection reset). */
export interface DropBehaviour {
  kind: 'drop';
}

export type Behaviour = ReplyBehaviour | ErrorBehaviour | HangBehaviour | DropBehaviour | ChatReplyBehaviour | ResponsesReplyBehaviour | GeminiReplyBehaviour;

/**
 * Endpoints that consume behaviours. Anthropic: `messages`, `count_tokens`, `models`. OpenAI:
 * `chat_completions` (POST /v1/chat/completions), `responses` (POST /v1/responses and /v1/responses/compact),
 * `codex_responses` (POST /backend-api/codex/responses and …/compact), `openai_models` (GET /v1/models without
 * `anthropic-version` and `x-api-key`).
 */
export type Endpoint =
  | 'messages'
  | 'count_tokens'
  | 'models'
  | 'chat_completions'
  | 'responses'
  | 'codex_responses'
  | 'openai_models'
  /** Gemini: generateContent / streamGenerateContent (Developer API and Code Assist), countTokens, Code Assist setup. */
  | 'gemini_generate'
  | 'gemini_count_tokens'
  | 'code_assist_setup';

/** An {@link Endpoint}, `'any'` (every endpoint except the two model lists) or `'any_responses'` (both Responses endpoints). */
export type EndpointFilter = Endpoint | 'any' | 'any_responses';

export interface EnqueueOptions {
  /**
   * Only requests authenticated with this credential consume it: the x-api-key value or bearer token; on the Codex
   * backend the access token or the `chatgpt-account-id` (either matches).
   */
  apiKey?: string;
  /** How many requests it answers (default 1). */
  times?: number;
  /**
   * Which endpoint consumes it. Default: `'messages'` for `reply`, `'chat_completions'` for `chat_reply`,
   * `'any_responses'` for `responses_reply`, and `'any'` (every endpoint except the model lists) for
   * error/hang/drop, so an enqueued error is also honoured by count_tokens or the OpenAI endpoints.
   */
  endpoint?: EndpointFilter;
}

interface Entry {
  behaviour: Behaviour;
  apiKey?: string;
  endpoint: EndpointFilter;
  remaining: number;
}

const endpointMatches = (filter: EndpointFilter, endpoint: Endpoint): boolean =>
  filter === endpoint ||
  (filter === 'any' && endpoint !== 'models' && endpoint !== 'openai_models') ||
  (filter === 'any_responses' && (endpoint === 'responses' || endpoint === 'codex_responses'));

/** Endpoints each reply kind can answer (a filter like 'any' never hands it to another one). */
const REPLY_ENDPOINTS: Record<string, readonly Endpoint[]> = {
  reply: ['messages', 'count_tokens', 'models'],
  chat_reply: ['chat_completions', 'openai_models'],
  responses_reply: ['responses', 'codex_responses'],
  gemini_reply: ['gemini_generate', 'gemini_count_tokens'],
};

const kindFits = (b: Behaviour, endpoint: Endpoint): boolean => REPLY_ENDPOINTS[b.kind]?.includes(endpoint) ?? true;

const matches = (e: Entry, endpoint: Endpoint, credentials: readonly (string | undefined)[]): boolean =>
  (e.apiKey === undefined || credentials.includes(e.apiKey)) && endpointMatches(e.endpoint, endpoint) && kindFits(e.behaviour, endpoint);

/** Throws on self-contradictory behaviours so a test fails at setup, not with a confusing wire result. */
export function assertValidBehaviour(b: Behaviour, endpoint?: EndpointFilter): void {
  if (b.kind === 'error' && !(Number.isInteger(b.status) && b.status >= 400 && b.status <= 599)) {
    throw new Error(`fake-upstream: error status must be 400..599, got ${b.status}`);
  }
  const allowed = REPLY_ENDPOINTS[b.kind];
  if (allowed && endpoint !== undefined && !allowed.some((e) => endpointMatches(endpoint, e))) {
    throw new Error(`fake-upstream: a ${b.kind} behaviour cannot answer endpoint ${endpoint}`);
  }
  if (b.kind === 'chat_reply') {
    const u = b.usage ?? {};
    if (u.cached_tokens !== undefined && u.prompt_tokens !== undefined && u.cached_tokens > u.prompt_tokens) {
      throw new Error('fake-upstream: cached_tokens cannot exceed prompt_tokens');
    }
  }
  if (b.kind === 'responses_reply') {
    const u = b.usage ?? {};
    if (u.cached_tokens !== undefined && u.input_tokens !== undefined && u.cached_tokens > u.input_tokens) {
      throw new Error('fake-upstream: cached_tokens cannot exceed input_tokens (which includes them)');
    }
  }
  if (b.kind !== 'reply') return;
  const cc = b.usage?.cache_creation;
  if (cc && b.usage?.cache_creation_input_tokens !== undefined) {
    const sum = (cc.ephemeral_5m_input_tokens ?? 0) + (cc.ephemeral_1h_input_tokens ?? 0);
    if (sum !== b.usage.cache_creation_input_tokens) {
      throw new Error(`fake-upstream: cache_creation breakdown sums to ${sum}, not cache_creation_input_tokens`);
    }
  }
}

/** FIFO of one-shot behaviours plus defaults (global and per credential). */
export class BehaviourQueue {
  private entries: Entry[] = [];
  private defaults: Entry[] = [];

  enqueue(behaviour: Behaviour, opts: EnqueueOptions = {}): void {
    const endpoint = endpointOf(behaviour, opts);
    assertValidBehaviour(behaviour, endpoint);
    const times = opts.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error('fake-upstream: times must be a positive integer');
    this.entries.push({ behaviour, apiKey: opts.apiKey, endpoint, remaining: times });
  }

  setDefault(behaviour: Behaviour, opts: Omit<EnqueueOptions, 'times'> = {}): void {
    const endpoint = endpointOf(behaviour, opts);
    assertValidBehaviour(behaviour, endpoint);
    this.defaults = this.defaults.filter((d) => !(d.apiKey === opts.apiKey && d.endpoint === endpoint));
    this.defaults.push({ behaviour, apiKey: opts.apiKey, endpoint, remaining: Infinity });
  }

  /**
   * Takes the behaviour for one request: first matching queue entry, else the per-key default, else the global one.
   * `credential` may list several identities of the caller (e.g. access token and ChatGPT account id).
   */
  take(endpoint: Endpoint, credential: string | undefined | readonly string[]): Behaviour | undefined {
    const credentials = typeof credential === 'string' || credential === undefined ? [credential] : credential;
    const i = this.entries.findIndex((e) => matches(e, endpoint, credentials));
    if (i >= 0) {
      const e = this.entries[i];
      if (--e.remaining === 0) this.entries.splice(i, 1);
      return e.behaviour;
    }
    const candidates = this.defaults.filter((d) => matches(d, endpoint, credentials));
    return (candidates.find((d) => d.apiKey !== undefined) ?? candidates[0])?.behaviour;
  }

  /** Queue entries not consumed yet (a test can assert the relay made the expected number of attempts). */
  pending(): number {
    return this.entries.reduce((n, e) => n + e.remaining, 0);
  }

  clear(): void {
    this.entries = [];
    this.defaults = [];
  }
}

const DEFAULT_ENDPOINT: Record<string, EndpointFilter> = {
  reply: 'messages',
  chat_reply: 'chat_completions',
  responses_reply: 'any_responses',
  gemini_reply: 'gemini_generate',
};

function endpointOf(b: Behaviour, opts: EnqueueOptions): EndpointFilter {
  return opts.endpoint ?? DEFAULT_ENDPOINT[b.kind] ?? 'any';
}
