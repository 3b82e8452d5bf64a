// Reads OpenAI usage as the answer passes: Responses (`response.completed`/`incomplete`/`failed` carry the
// final `response.usage`) and Chat Completions (the `usage` object of a JSON answer, or of the one stream chunk
// that carries it). OpenAI's input counts include cached tokens (PROTOCOLS 6.7); Usage.input excludes them.
import type { Usage } from '../../core/usage.js';
import { tryParseJson } from '../../platform/json-fields.js';
import { SseParser, type SseEvent } from '../../platform/sse.js';
import type { TapResult, UsageTap } from '../types.js';

const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0);

/** Responses `usage` → Usage (input_tokens includes input_tokens_details.cached_tokens). */
export function responsesUsage(u: Record<string, unknown> | null | undefined): Usage | null {
  if (!u || typeof u !== 'object') return null;
  const cached = n((u.input_tokens_details as { cached_tokens?: unknown } | undefined)?.cached_tokens);
  const input = n(u.input_tokens);
  return { input: Math.max(0, input - cached), output: n(u.output_tokens), cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: Math.min(cached, input) };
}

/** Chat Completions `usage` → Usage (prompt_tokens includes cached_tokens and any cache_write_tokens). */
export function chatUsage(u: Record<string, unknown> | null | undefined): Usage | null {
  if (!u || typeof u !== 'object') return null;
  const details = (u.prompt_tokens_details ?? {}) as { cached_tokens?: unknown; cache_write_tokens?: unknown };
  const prompt = n(u.prompt_tokens);
  const cached = Math.min(n(details.cached_tokens), prompt);
  const written = Math.min(n(details.cache_write_tokens), prompt - cached);
  return { input: prompt - cached - written, output: n(u.completion_tokens), cacheWrite5m: written, cacheWrite1h: 0, cacheRead: cached };
}

const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed', 'error']);

function parse(data: string): Record<string, unknown> | null {
  const v = tryParseJson(data);
  return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
}

/** Watches a Responses SSE stream; parses only the terminal events (and data-only events, whose type is inside). */
export class ResponsesStreamTap implements UsageTap {
  private readonly parser = new SseParser({ wants: (e) => e === '' || TERMINAL.has(e) });
  private result: TapResult = { usage: null, model: null, complete: false, errorType: null };

  push(chunk: Uint8Array): void {
    for (const ev of this.parser.push(chunk)) this.onEvent(ev.event, ev.data);
  }

  private onEvent(event: string, data: string): void {
    if (event === '' && !/"type":\s*"(response\.(completed|incomplete|failed)|error)"/.test(data)) return;
    const j = parse(data);
    if (!j) return;
    const type = String(j.type ?? event);
    if (type === 'error') {
      this.result.errorType = String(j.code ?? 'error');
      return;
    }
    const r = (j.response ?? {}) as Record<string, unknown>;
    if (typeof r.model === 'string') this.result.model = r.model;
    this.result.usage = responsesUsage(r.usage as Record<string, unknown>) ?? this.result.usage;
    if (type === 'response.completed') this.result.complete = true;
    if (type === 'response.incomplete') this.result.complete = true;
    if (type === 'response.failed') this.result.errorType = String((r.error as { code?: unknown } | null)?.code ?? 'response_failed');
  }

  finish(): TapResult {
    for (const ev of this.parser.end()) this.onEvent(ev.event, ev.data);
    return this.result;
  }
}

/** Watches a Chat Completions SSE stream: the chunk with a `usage` object, the `[DONE]` end, error chunks. */
export class ChatStreamTap implements UsageTap {
  private readonly parser = new SseParser();
  private result: TapResult = { usage: null, model: null, complete: false, errorType: null };

  push(chunk: Uint8Array): void {
    for (const ev of this.parser.push(chunk)) this.onData(ev.data);
  }

  event(ev: SseEvent): void {
    this.onData(ev.data);
  }

  private onData(data: string): void {
    if (data === '[DONE]') {
      this.result.complete = true;
      return;
    }
    if (this.result.model === null) this.result.model = /"model":\s*"([^"]*)"/.exec(data)?.[1] ?? null;
    const hasUsage = /"usage":\s*\{/.test(data);
    const hasError = data.startsWith('{"error"') || /^\{\s*"error"\s*:/.test(data);
    if (!hasUsage && !hasError) return;
    const j = parse(data);
    if (!j) return;
    if (j.error) this.result.errorType = String((j.error as { type?: unknown }).type ?? 'error');
    const u = chatUsage(j.usage as Record<string, unknown>);
    if (u) this.result.usage = u;
  }

  finish(): TapResult {
    for (const ev of this.parser.end()) this.onData(ev.data);
    return this.result;
  }
}

/** Collects a JSON answer (bounded) and reads `usage`/`model` at the end, with the given usage reader. */
export class OpenAIJsonTap implements UsageTap {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;

  constructor(
    private readonly read: (u: Record<string, unknown>) => Usage | null,
    private readonly maxBytes = 16 * 1024 * 1024,
  ) {}

  push(chunk: Uint8Array): void {
    this.size += chunk.length;
    if (this.size <= this.maxBytes) this.chunks.push(chunk);
  }

  finish(): TapResult {
    if (this.size > this.maxBytes) return { usage: null, model: null, complete: true, errorType: null };
    const j = parse(Buffer.concat(this.chunks).toString('utf8'));
    if (!j) return { usage: null, model: null, complete: false, errorType: null };
    if (j.error && typeof j.error === 'object')
      return { usage: null, model: null, complete: true, errorType: String((j.error as { type?: unknown }).type ?? 'error') };
    return { usage: this.read(j.usage as Record<string, unknown>), model: typeof j.model === 'string' ? j.model : null, complete: true, errorType: null };
  }
}
