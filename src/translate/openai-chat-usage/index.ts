// Chat Completions passed through to an OpenAI upstream: a stream only reports usage when the request asks for it
// (`stream_options.include_usage`), and the relay must meter every request. So the relay asks for it, and when the
// client did not, removes the usage-only chunk (`choices: []`) from what the client sees. Pure.
import { SseParser, type SseEvent } from '../../platform/sse.js';

/** The upstream body with usage requested, and whether the client itself asked for it. */
export function requestStreamUsage(json: Record<string, unknown>): { json: Record<string, unknown>; clientAsked: boolean } {
  const opts = (json.stream_options ?? {}) as Record<string, unknown>;
  if (json.stream !== true || opts.include_usage === true) return { json, clientAsked: true };
  return { json: { ...json, stream_options: { ...opts, include_usage: true } }, clientAsked: false };
}

/** Re-frames a Chat Completions SSE stream event by event, dropping the usage-only chunk. */
export class UsageChunkFilter {
  readonly contentType = 'text/event-stream; charset=utf-8';
  private readonly parser = new SseParser();

  push(chunk: Uint8Array): string {
    return this.frame(this.parser.push(chunk));
  }

  shareEvents(listener: (ev: SseEvent) => void): void {
    this.parser.listener = listener;
  }

  end(): string {
    return this.frame(this.parser.end());
  }

  private frame(events: { event: string; data: string }[]): string {
    let out = '';
    for (const ev of events) {
      if (isUsageOnly(ev.data)) continue;
      out += ev.event ? `event: ${ev.event}\ndata: ${ev.data}\n\n` : `data: ${ev.data}\n\n`;
    }
    return out;
  }
}

function isUsageOnly(data: string): boolean {
  if (!/"choices":\s*\[\s*\]/.test(data)) return false;
  try {
    const j = JSON.parse(data) as { choices?: unknown[]; usage?: unknown };
    return Array.isArray(j.choices) && j.choices.length === 0 && j.usage !== null && typeof j.usage === 'object';
  } catch {
    return false;
  }
}
