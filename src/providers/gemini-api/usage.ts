// Reads Gemini usage as the answer passes (PROTOCOLS 5.3, 5.4, 6.7): `usageMetadata` of a JSON answer, of the
// last element of a JSON-array stream, or of the last SSE event that carries one (running totals: never summed).
// Code Assist wraps each answer as `{response:{…}, traceId}`; both shapes are read. promptTokenCount includes
// cachedContentTokenCount; output = candidates + thoughts.
import type { Usage } from '../../core/usage.js';
import { tryParseJson } from '../../platform/json-fields.js';
import { SseParser, type SseEvent } from '../../platform/sse.js';
import type { TapResult, UsageTap } from '../types.js';

const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0);

/** Gemini `usageMetadata` → Usage (input excludes the cached prompt tokens; tool-use prompt tokens count as input). */
export function geminiUsage(m: unknown): Usage | null {
  if (!m || typeof m !== 'object') return null;
  const u = m as Record<string, unknown>;
  const prompt = n(u.promptTokenCount);
  const cached = Math.min(n(u.cachedContentTokenCount), prompt);
  return {
    input: prompt - cached + n(u.toolUsePromptTokenCount),
    output: n(u.candidatesTokenCount) + n(u.thoughtsTokenCount),
    cacheWrite5m: 0,
    cacheWrite1h: 0,
    cacheRead: cached,
  };
}

type Json = Record<string, unknown>;

/** The GenerateContentResponse inside a Code Assist envelope, or the object itself. */
export function innerResponse(j: unknown): Json | null {
  if (!j || typeof j !== 'object' || Array.isArray(j)) return null;
  const o = j as Json;
  return o.response && typeof o.response === 'object' && !Array.isArray(o.response) ? (o.response as Json) : o;
}

const errorStatus = (e: unknown): string => String((e as { status?: unknown; code?: unknown })?.status ?? (e as { code?: unknown })?.code ?? 'error');

/** What one answer object (or array element) says. */
function readAnswer(r: Json | null, into: TapResult): void {
  if (!r) return;
  if (r.error && typeof r.error === 'object') {
    into.errorType = errorStatus(r.error);
    return;
  }
  if (typeof r.modelVersion === 'string' && into.model === null) into.model = r.modelVersion;
  const u = geminiUsage(r.usageMetadata);
  if (u) into.usage = u;
  const cands = Array.isArray(r.candidates) ? (r.candidates as Json[]) : [];
  if (cands.some((c) => typeof c?.finishReason === 'string')) into.complete = true;
  // A prompt blocked before generation ends the answer too (no candidates, promptFeedback.blockReason).
  if (cands.length === 0 && (r.promptFeedback as { blockReason?: unknown } | undefined)?.blockReason) into.complete = true;
}

/**
 * Watches a Gemini SSE stream. Every event carries running usage, so only the last event that mentions
 * `usageMetadata` is kept as text and parsed once at the end; the end of the answer is the `finishReason`.
 */
export class GeminiStreamTap implements UsageTap {
  private readonly parser = new SseParser();
  private readonly result: TapResult = { usage: null, model: null, complete: false, errorType: null };
  private lastUsage: string | null = null;

  push(chunk: Uint8Array): void {
    for (const ev of this.parser.push(chunk)) this.onData(ev.data);
  }

  event(ev: SseEvent): void {
    this.onData(ev.data);
  }

  private onData(data: string): void {
    if (this.result.model === null) this.result.model = /"modelVersion":\s*"([^"]*)"/.exec(data)?.[1] ?? null;
    if (data.includes('"usageMetadata"')) this.lastUsage = data;
    if (/"finishReason":\s*"/.test(data) || /"blockReason":\s*"/.test(data)) this.result.complete = true;
    if (/^\s*\{\s*"error"\s*:/.test(data)) this.result.errorType = errorStatus((tryParseJson(data) as Json | undefined)?.error);
  }

  finish(): TapResult {
    for (const ev of this.parser.end()) this.onData(ev.data);
    if (this.lastUsage !== null) this.result.usage = geminiUsage(innerResponse(tryParseJson(this.lastUsage))?.usageMetadata) ?? this.result.usage;
    return this.result;
  }
}

/** Collects a JSON answer (an object, or the JSON-array form of a stream), bounded, and reads it at the end. */
export class GeminiJsonTap implements UsageTap {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;

  constructor(private readonly maxBytes = 16 * 1024 * 1024) {}

  push(chunk: Uint8Array): void {
    this.size += chunk.length;
    if (this.size <= this.maxBytes) this.chunks.push(chunk);
  }

  finish(): TapResult {
    const result: TapResult = { usage: null, model: null, complete: false, errorType: null };
    if (this.size > this.maxBytes) return { ...result, complete: true };
    const j = tryParseJson(Buffer.concat(this.chunks).toString('utf8'));
    if (Array.isArray(j)) for (const el of j) readAnswer(innerResponse(el), result);
    else readAnswer(innerResponse(j), result);
    // A countTokens or a one-shot answer is whole when it parsed (a one-shot may lack a finish reason).
    if (j !== undefined && !Array.isArray(j) && result.errorType === null) result.complete = true;
    return result;
  }
}
