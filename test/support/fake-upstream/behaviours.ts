// Behaviour types of the fake Anthropic upstream and the queue that picks one per request.

/** Content the fake generates for a successful reply. */
export type Scenario = 'text' | 'tool_use' | 'thinking' | 'redacted_thinking' | 'refusal' | 'max_tokens';

/**
 * Presets for the subscription ("unified") rate-limit header family of PROTOCOLS 1.8.3.
 * `rejected_*` put the named window in `rejected`; pair them with a 429 error behaviour.
 */
export type UnifiedPreset =
  | 'allowed'
  | 'allowed_warning'
  | 'rejected_5h'
  | 'rejected_7d'
  | 'rejected_7d_opus'
  | 'overage_in_use';

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

/** Answer with an Anthropic error JSON body (PROTOCOLS 1.6), also for streaming requests. */
export interface ErrorBehaviour {
  kind: 'error';
  /** HTTP status (400–599). */
  status: number;
  /** `error.type`; default from the status table (400 invalid_request_error … 529 overloaded_error). */
  type?: string;
  /** `error.message`; a realistic default per type. */
  message?: string;
  /** `retry-after` seconds; default 30 for 429 (or the rejected unified window's reset), 1 for 529, none otherwise. */
  retryAfter?: number;
  /** `x-should-retry` header; default `true` for 429 and 529, absent otherwise. */
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

export type Behaviour = ReplyBehaviour | ErrorBehaviour | HangBehaviour | DropBehaviour;

/** Endpoints that consume behaviours. */
export type Endpoint = 'messages' | 'count_tokens' | 'models';

export interface EnqueueOptions {
  /** Only requests authenticated with this credential (x-api-key value or bearer token) consume it. */
  apiKey?: string;
  /** How many requests it answers (default 1). */
  times?: number;
  /**
   * Which endpoint consumes it. Default: `'messages'` for `reply`, `'any'` (= messages or count_tokens)
   * for error/hang/drop, so an enqueued error is also honoured by count_tokens.
   */
  endpoint?: Endpoint | 'any';
}

interface Entry {
  behaviour: Behaviour;
  apiKey?: string;
  endpoint: Endpoint | 'any';
  remaining: number;
}

const matches = (e: Entry, endpoint: Endpoint, credential: string | undefined): boolean =>
  (e.apiKey === undefined || e.apiKey === credential) &&
  (e.endpoint === endpoint || (e.endpoint === 'any' && endpoint !== 'models'));

/** Throws on self-contradictory behaviours so a test fails at setup, not with a confusing wire result. */
export function assertValidBehaviour(b: Behaviour): void {
  if (b.kind === 'error' && !(Number.isInteger(b.status) && b.status >= 400 && b.status <= 599)) {
    throw new Error(`fake-upstream: error status must be 400..599, got ${b.status}`);
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
    assertValidBehaviour(behaviour);
    const times = opts.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error('fake-upstream: times must be a positive integer');
    this.entries.push({ behaviour, apiKey: opts.apiKey, endpoint: endpointOf(behaviour, opts), remaining: times });
  }

  setDefault(behaviour: Behaviour, opts: Omit<EnqueueOptions, 'times'> = {}): void {
    assertValidBehaviour(behaviour);
    const endpoint = endpointOf(behaviour, opts);
    this.defaults = this.defaults.filter((d) => !(d.apiKey === opts.apiKey && d.endpoint === endpoint));
    this.defaults.push({ behaviour, apiKey: opts.apiKey, endpoint, remaining: Infinity });
  }

  /** Takes the behaviour for one request: first matching queue entry, else the per-key default, else the global one. */
  take(endpoint: Endpoint, credential: string | undefined): Behaviour | undefined {
    const i = this.entries.findIndex((e) => matches(e, endpoint, credential));
    if (i >= 0) {
      const e = this.entries[i];
      if (--e.remaining === 0) this.entries.splice(i, 1);
      return e.behaviour;
    }
    const candidates = this.defaults.filter((d) => matches(d, endpoint, credential));
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

function endpointOf(b: Behaviour, opts: EnqueueOptions): Endpoint | 'any' {
  return opts.endpoint ?? (b.kind === 'reply' ? 'messages' : 'any');
}
