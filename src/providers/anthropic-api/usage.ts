// Reads Anthropic usage: from a Message JSON body, or from SSE events as they stream by
// (message_start gives input and cache counts; the last message_delta overrides any non-null counter).
import { SseParser, type SseEvent } from '../../platform/sse.js';
import { JsonFields } from '../../platform/json-fields.js';
import type { Usage } from '../../core/usage.js';
import type { TapResult, UsageTap } from '../types.js';

export type { TapResult, UsageTap } from '../types.js';

/** The usage object on the wire (all counters nullable in newer API versions). */
export interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation?: { ephemeral_5m_input_tokens?: number | null; ephemeral_1h_input_tokens?: number | null } | null;
}

const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0);

export function toUsage(u: AnthropicUsage): Usage {
  const created = n(u.cache_creation_input_tokens);
  let w5 = n(u.cache_creation?.ephemeral_5m_input_tokens);
  const w1h = n(u.cache_creation?.ephemeral_1h_input_tokens);
  // Without the TTL breakdown (older API versions) every cache write is a 5-minute write.
  if (w5 + w1h < created) w5 = created - w1h;
  return { input: n(u.input_tokens), output: n(u.output_tokens), cacheWrite5m: w5, cacheWrite1h: w1h, cacheRead: n(u.cache_read_input_tokens) };
}

/** Overwrites counters with the non-null ones of `next` (the SDK's rule; never sums). */
function mergeUsage(into: AnthropicUsage, next: AnthropicUsage | undefined): void {
  if (!next) return;
  for (const k of ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens'] as const) {
    if (next[k] !== null && next[k] !== undefined) into[k] = next[k];
  }
  if (next.cache_creation) into.cache_creation = { ...into.cache_creation, ...next.cache_creation };
}

const TAPPED_EVENTS = new Set(['message_start', 'message_delta', 'message_stop', 'error']);

/** Watches an Anthropic SSE stream; parses JSON only for the few events that carry usage. */
export class AnthropicStreamTap implements UsageTap {
  private readonly parser = new SseParser({ wants: (e) => TAPPED_EVENTS.has(e) });
  private readonly raw: AnthropicUsage = {};
  private seen = false;
  private model: string | null = null;
  private complete = false;
  private errorType: string | null = null;

  push(chunk: Uint8Array): void {
    for (const ev of this.parser.push(chunk)) this.onEvent(ev.event, ev.data);
  }

  event(ev: SseEvent): void {
    if (TAPPED_EVENTS.has(ev.event)) this.onEvent(ev.event, ev.data);
  }

  private onEvent(event: string, data: string): void {
    try {
      switch (event) {
        case 'message_start': {
          const m = JSON.parse(data).message;
          if (typeof m?.model === 'string') this.model = m.model;
          mergeUsage(this.raw, m?.usage);
          this.seen = true;
          break;
        }
        case 'message_delta':
          mergeUsage(this.raw, JSON.parse(data).usage);
          this.seen = true;
          break;
        case 'message_stop':
          this.complete = true;
          break;
        case 'error':
          this.errorType = String(JSON.parse(data)?.error?.type ?? 'error');
          break;
      }
    } catch {
      // a malformed event is the client's to see; the tap just learns nothing from it
    }
  }

  finish(): TapResult {
    for (const ev of this.parser.end()) this.onEvent(ev.event, ev.data);
    return { usage: this.seen ? toUsage(this.raw) : null, model: this.model, complete: this.complete, errorType: this.errorType };
  }
}

/** Answers up to this size are parsed whole by the JSON tap; longer ones are scanned. */
const WHOLE_PARSE_MAX = 8 * 1024;

/**
 * The answer's top-level fields. A short answer is parsed whole (JSON.parse of a few hundred bytes is cheaper than
 * the scan and three field parses); in a long one only the fields read are parsed, not the content (json-fields.ts).
 */
function topLevel(raw: Buffer): Record<string, unknown> {
  if (raw.length <= WHOLE_PARSE_MAX) return JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
  return (JsonFields.scan(raw) ?? JsonFields.of(raw, JSON.parse(raw.toString('utf8')) as Record<string, unknown>)).view();
}

/** Collects a JSON body (bounded) and reads `usage`/`model` from it at the end. */
export class AnthropicJsonTap implements UsageTap {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;

  constructor(private readonly maxBytes = 16 * 1024 * 1024) {}

  push(chunk: Uint8Array): void {
    this.size += chunk.length;
    if (this.size <= this.maxBytes) this.chunks.push(chunk);
  }

  finish(): TapResult {
    if (this.size > this.maxBytes) return { usage: null, model: null, complete: true, errorType: null };
    try {
      const body = topLevel(Buffer.concat(this.chunks, this.size)) as {
        type?: unknown;
        error?: { type?: unknown };
        usage?: AnthropicUsage;
        model?: unknown;
      };
      if (body?.type === 'error') return { usage: null, model: null, complete: true, errorType: String(body.error?.type ?? 'error') };
      return {
        usage: body?.usage ? toUsage(body.usage) : null,
        model: typeof body?.model === 'string' ? body.model : null,
        complete: true,
        errorType: null,
      };
    } catch {
      return { usage: null, model: null, complete: false, errorType: null };
    }
  }
}
