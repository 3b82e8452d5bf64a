// Anthropic Messages SSE → OpenAI chat.completion.chunk SSE (§6.3): an incremental state machine, bytes in, text out.
import { SseParser, type SseEvent } from '../../platform/sse.js';
import { ChatChunkStream, DONE, frame } from '../openai-chat/chunks.js';
import { anthropicStreamErrorToChat } from './error.js';
import { finishReason, type CompletionContext } from './response.js';
import { overwriteUsage, toChatUsage, type AnthropicUsage } from './usage.js';

export interface ChatStreamContext extends CompletionContext {
  /** The client's `stream_options.include_usage`. */
  includeUsage: boolean;
}

/** The error a client sees when the upstream stream ends without `message_stop` (§6.10 #10). */
export const STREAM_CUT_MESSAGE = 'upstream stream ended before the answer was complete';

const KNOWN_EVENTS = new Set([
  'message_start',
  'content_block_start',
  'content_block_delta',
  'content_block_stop',
  'message_delta',
  'message_stop',
  'ping',
  'error',
]);

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

// Most of an answer is text deltas, written by the API in one fixed form. Their text's JSON literal is carried into
// the chunk as it is (no parse, no re-serialisation); any other form takes the general path. The literal must be
// well-formed (no bare quote or control character, only JSON's escapes): one regular expression checks the whole
// event, ~5x cheaper than walking it character by character in JavaScript (~0.08 vs ~0.4 µs per event).
const TEXT_DELTA =
  /^\{"type":"content_block_delta","index":\d+,"delta":\{"type":"text_delta","text":("(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*")\}\}$/;

/**
 * Longer events take the general path: the expression keeps a backtracking entry per character and V8 gives up
 * ("Maximum call stack size exceeded") somewhere past a few million. The API's deltas are a few tokens.
 */
const TEXT_DELTA_MAX = 256 * 1024;

/** The text's JSON string literal when `data` is a text delta in the API's own form, else null. */
export function textDeltaLiteral(data: string): string | null {
  if (data.length > TEXT_DELTA_MAX) return null;
  const m = TEXT_DELTA.exec(data);
  return m === null ? null : m[1];
}

/**
 * Converts one Anthropic streaming answer into OpenAI chunks. Feed it the upstream bytes as they arrive (any
 * chunking); each call returns the text to write to the client. Tool calls are numbered by their own ordinal
 * (0, 1, …), not by the Anthropic block index. The finish chunk (and the usage chunk when `includeUsage`) is
 * written at `message_stop`, so a stream cut after `message_delta` still ends in an error, never in a clean finish.
 */
export class AnthropicToChatStream extends ChatChunkStream {
  private readonly parser = new SseParser();
  /** Anthropic block index → the tool call's ordinal, and whether any argument text was sent for it. */
  private readonly toolByBlock = new Map<number, { ordinal: number; sentArgs: boolean }>();
  private readonly usage: AnthropicUsage = {};
  private toolOrdinal = -1;
  private stopReason: unknown = null;
  private done = false;

  /** True once `data: [DONE]` has been written (after a finish or an error). */
  get finished(): boolean {
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

  /** The upstream ended: flushes what is left and, if the answer never completed, ends with an error chunk. */
  end(): string {
    const events = this.parser.end();
    if (this.done) return '';
    const out = this.handle(events);
    return this.done ? out : out + this.fail({ message: STREAM_CUT_MESSAGE, type: 'server_error', code: null });
  }

  private handle(events: SseEvent[]): string {
    let out = '';
    for (const ev of events) {
      if (this.done) break;
      out += this.event(ev);
    }
    return out;
  }

  private event(ev: SseEvent): string {
    if (ev.event === 'content_block_delta' || ev.event === '') {
      const literal = textDeltaLiteral(ev.data);
      if (literal !== null) return literal === '""' ? '' : this.start() + this.rawChunk(`{"content":${literal}}`);
    }
    let data: unknown;
    try {
      data = JSON.parse(ev.data);
    } catch {
      data = undefined;
    }
    const name = ev.event || (isObject(data) && typeof data.type === 'string' ? data.type : '');
    if (!KNOWN_EVENTS.has(name)) return ''; // §6.10 #14: unknown events are ignored
    if (!isObject(data)) {
      // A known event we cannot read would silently lose part of the answer.
      return this.fail({ message: `upstream sent an unreadable ${name} event`, type: 'server_error', code: null });
    }
    switch (name) {
      case 'message_start':
        overwriteUsage(this.usage, isObject(data.message) ? data.message.usage : undefined);
        return this.start();
      case 'content_block_start':
        return this.blockStart(data);
      case 'content_block_delta':
        return this.blockDelta(data);
      case 'content_block_stop':
        return this.blockStop(data);
      case 'message_delta':
        if (isObject(data.delta) && data.delta.stop_reason != null) this.stopReason = data.delta.stop_reason;
        overwriteUsage(this.usage, data.usage);
        return '';
      case 'message_stop':
        return this.finish();
      case 'error':
        return this.fail(anthropicStreamErrorToChat(data));
      default: // ping
        return '';
    }
  }

  private blockStart(data: Json): string {
    const block = data.content_block;
    if (!isObject(block)) return '';
    switch (block.type) {
      case 'tool_use': {
        const ordinal = ++this.toolOrdinal;
        // The API starts tool_use with input {} and streams the JSON; a non-empty start input is sent whole.
        const args = isObject(block.input) && Object.keys(block.input).length > 0 ? JSON.stringify(block.input) : '';
        if (typeof data.index === 'number') this.toolByBlock.set(data.index, { ordinal, sentArgs: args !== '' });
        const call = { index: ordinal, id: block.id, type: 'function', function: { name: block.name, arguments: args } };
        return this.delta({ tool_calls: [call] });
      }
      case 'text':
        return typeof block.text === 'string' && block.text !== '' ? this.delta({ content: block.text }) : '';
      case 'thinking':
        return typeof block.thinking === 'string' && block.thinking !== '' ? this.delta({ reasoning_content: block.thinking }) : '';
      default: // redacted_thinking and server-tool blocks have no OpenAI form
        return '';
    }
  }

  private blockDelta(data: Json): string {
    const d = data.delta;
    if (!isObject(d)) return '';
    switch (d.type) {
      case 'text_delta':
        return typeof d.text === 'string' && d.text !== '' ? this.delta({ content: d.text }) : '';
      case 'thinking_delta':
        return typeof d.thinking === 'string' && d.thinking !== '' ? this.delta({ reasoning_content: d.thinking }) : '';
      case 'input_json_delta': {
        const tool = typeof data.index === 'number' ? this.toolByBlock.get(data.index) : undefined;
        // The first fragment is usually "": nothing to send. Fragments of a block that is not a tool are dropped.
        if (tool === undefined || typeof d.partial_json !== 'string' || d.partial_json === '') return '';
        tool.sentArgs = true;
        return this.delta({ tool_calls: [{ index: tool.ordinal, function: { arguments: d.partial_json } }] });
      }
      default: // signature_delta, citations_delta, unknown
        return '';
    }
  }

  /**
   * A tool call without arguments streams only "" from Anthropic; OpenAI clients JSON.parse the arguments, so
   * such a call is closed with "{}" (what OpenAI itself sends, and what the non-streaming answer holds).
   */
  private blockStop(data: Json): string {
    const tool = typeof data.index === 'number' ? this.toolByBlock.get(data.index) : undefined;
    if (tool === undefined || tool.sentArgs) return '';
    tool.sentArgs = true;
    return this.delta({ tool_calls: [{ index: tool.ordinal, function: { arguments: '{}' } }] });
  }

  private finish(): string {
    let out = this.start() + this.chunk({}, finishReason(this.stopReason));
    if (this.ctx.includeUsage) {
      out += frame({
        id: this.ctx.id,
        object: 'chat.completion.chunk',
        created: this.ctx.created,
        model: this.ctx.model,
        choices: [],
        usage: toChatUsage(this.usage),
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
