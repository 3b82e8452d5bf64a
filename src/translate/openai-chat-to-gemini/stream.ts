// Gemini SSE (`?alt=sse`, one GenerateContentResponse per event, text parts are deltas) → OpenAI
// chat.completion.chunk SSE (§6.9, §6.10 #1, #5, #10): an incremental state machine, bytes in, text out.
import { SseParser, type SseEvent } from '../../platform/sse.js';
import { ChatChunkStream, DONE, frame } from '../openai-chat/chunks.js';
import { isObject } from './content.js';
import { geminiStreamErrorToChat } from './error.js';
import { finishReason, partsOf, toolCallOf, type CompletionContext } from './response.js';
import { geminiToChatUsage } from './usage.js';

export interface ChatStreamContext extends CompletionContext {
  /** The client's `stream_options.include_usage`. */
  includeUsage: boolean;
}

/** The error a client sees when the upstream stream ends without a finish reason (§6.10 #10). */
export const STREAM_CUT_MESSAGE = 'upstream stream ended before the answer was complete';

/**
 * Converts one Gemini streaming answer into OpenAI chunks. Feed it the upstream bytes as they arrive (any chunking,
 * LF or CRLF framing); each call returns the text to write. Function calls arrive whole and are sent whole, numbered
 * 0, 1, … in order. Usage is the last `usageMetadata` seen (running totals, never summed). The finish chunk (and the
 * usage chunk with `includeUsage`) is written when the upstream ends after a finish reason; a stream that ends
 * without one, or with an error event, ends in an error chunk, never in a clean finish.
 */
export class GeminiToChatStream extends ChatChunkStream {
  private readonly parser = new SseParser();
  private usage: unknown = null;
  private finishReason: unknown = null;
  private finished = false;
  private blocked = false;
  private toolCalls = 0;
  private done = false;

  /** True once `data: [DONE]` has been written (after a finish or an error). */
  get ended(): boolean {
    return this.done;
  }

  push(chunk: Uint8Array): string {
    // Parsed even once the conversion is done: a listener (shareEvents) gets the whole answer.
    const events = this.parser.push(chunk);
    return this.done ? '' : this.handle(events);
  }

  shareEvents(listener: (ev: SseEvent) => void): void {
    this.parser.listener = listener;
  }

  /** The upstream ended: flushes what is left, then the finish (or, if the answer never finished, an error). */
  end(): string {
    const events = this.parser.end();
    if (this.done) return '';
    const out = this.handle(events);
    if (this.done) return out;
    return out + (this.finished ? this.finish() : this.fail({ message: STREAM_CUT_MESSAGE, type: 'server_error', code: null }));
  }

  private handle(events: SseEvent[]): string {
    let out = '';
    for (const ev of events) {
      if (this.done) break;
      out += this.event(ev.data);
    }
    return out;
  }

  private event(data: string): string {
    if (data.trim() === '' || data === '[DONE]') return '';
    let j: unknown;
    try {
      j = JSON.parse(data);
    } catch {
      return this.fail({ message: 'upstream sent an unreadable stream event', type: 'server_error', code: null });
    }
    if (!isObject(j)) return '';
    if (isObject(j.error)) return this.fail(geminiStreamErrorToChat(j));
    if (j.usageMetadata !== undefined) this.usage = j.usageMetadata;
    const { parts, finish, blocked } = partsOf(j);
    let out = '';
    for (const p of parts) {
      if (isObject(p.functionCall)) {
        const ordinal = this.toolCalls++;
        out += this.delta({ tool_calls: [{ index: ordinal, ...toolCallOf(p, this.ctx, ordinal) }] });
      } else if (typeof p.text === 'string' && p.text !== '') {
        out += this.delta(p.thought === true ? { reasoning_content: p.text } : { content: p.text });
      }
      // Other parts (inline data, code execution, unknown kinds) have no OpenAI chunk form (§6.10 #14).
    }
    if (finish !== undefined && finish !== null) {
      this.finishReason = finish;
      this.finished = true;
    }
    if (blocked) this.blocked = this.finished = true;
    return out;
  }

  private finish(): string {
    const reason = this.blocked ? 'content_filter' : finishReason(this.finishReason, this.toolCalls > 0);
    let out = this.start() + this.chunk({}, reason);
    if (this.ctx.includeUsage) {
      out += frame({
        id: this.ctx.id,
        object: 'chat.completion.chunk',
        created: this.ctx.created,
        model: this.ctx.model,
        choices: [],
        usage: geminiToChatUsage(this.usage),
      });
    }
    this.done = true;
    return out + DONE;
  }

  private fail(error: { message: string; type: string; code: null }): string {
    this.done = true;
    return frame({ error }) + DONE;
  }
}
