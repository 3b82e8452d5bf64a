// Code Assist answers → Gemini answers (PROTOCOLS 5.6): `{response:{…}, traceId}` becomes the inner
// GenerateContentResponse (traceId as responseId when it has none, as gemini-cli does), for a JSON answer, each
// element of a JSON-array stream, and each SSE event. SSE is re-framed exactly as Gemini CLI and js-genai need it:
// `data: <json>` with the space, a blank line after every event (CLIENTS 3.2). Pure, incremental.
import { SseParser } from '../../platform/sse.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One Code Assist answer → the Gemini answer inside it; anything else (an error object) is left as it is. */
export function unwrapAnswer(v: unknown): unknown {
  if (!isObject(v) || !isObject(v.response)) return v;
  const r = v.response;
  return typeof r.responseId !== 'string' && typeof v.traceId === 'string' ? { ...r, responseId: v.traceId } : r;
}

/** A whole JSON answer (object or array of answers), as text; unreadable text is returned unchanged. */
export function unwrapJsonText(text: string): string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return text;
  }
  return JSON.stringify(Array.isArray(v) ? v.map(unwrapAnswer) : unwrapAnswer(v));
}

/** Re-frames a Code Assist SSE stream event by event with the envelope removed. */
export class CodeAssistSseUnwrapper {
  readonly contentType = 'text/event-stream';
  private readonly parser = new SseParser();

  push(chunk: Uint8Array): string {
    return this.frame(this.parser.push(chunk));
  }

  end(): string {
    return this.frame(this.parser.end());
  }

  private frame(events: { data: string }[]): string {
    let out = '';
    for (const ev of events) {
      if (ev.data === '') continue;
      const data = ev.data.includes('"response"') ? unwrapJsonText(ev.data) : ev.data;
      // One `data:` line per line of the payload (a multi-line event stays one event).
      out += `data: ${data.split('\n').join('\ndata: ')}\n\n`;
    }
    return out;
  }
}

/** Collects a JSON answer and writes it unwrapped once it is whole (the JSON-array stream form loses its pacing). */
export class CodeAssistJsonUnwrapper {
  readonly contentType = 'application/json';
  private readonly chunks: Buffer[] = [];

  push(chunk: Uint8Array): string {
    this.chunks.push(Buffer.from(chunk));
    return '';
  }

  end(): string {
    return unwrapJsonText(Buffer.concat(this.chunks).toString('utf8'));
  }
}
