// Turns a Message into the SSE event sequence of PROTOCOLS 1.5 and applies the event-level stream knobs.
import type { ReplyBehaviour, StreamKnobs } from './behaviours.js';
import { errorEventData } from './errors.js';
import { applyUsage, type ContentBlock, type Message } from './message-builder.js';

/** One SSE event; `raw` (when set) is written as the data line verbatim instead of JSON.stringify(data). */
export interface WireEvent {
  event: string;
  data: Record<string, unknown>;
  raw?: string;
}

/** What to do after the last event: finish the response, or destroy the socket. */
export type Terminal = 'end' | 'destroy';

const ev = (event: string, fields: Record<string, unknown> = {}): WireEvent => ({ event, data: { type: event, ...fields } });

/** Whole words (with their leading whitespace), three per piece; the concatenation equals `text`. */
export function splitText(text: string): string[] {
  const words = text.match(/\s*\S+|\s+$/g) ?? [];
  const pieces: string[] = [];
  for (let i = 0; i < words.length; i += 3) pieces.push(words.slice(i, i + 3).join(''));
  return pieces;
}

/** Tool input JSON as real fragments: first `""`, then 12-code-point slices. */
export function splitJson(input: unknown): string[] {
  const chars = Array.from(JSON.stringify(input ?? {}));
  const out = [''];
  for (let i = 0; i < chars.length; i += 12) out.push(chars.slice(i, i + 12).join(''));
  return out;
}

function blockEvents(block: ContentBlock, index: number): WireEvent[] {
  const delta = (d: Record<string, unknown>): WireEvent => ev('content_block_delta', { index, delta: d });
  const out: WireEvent[] = [];
  switch (block.type) {
    case 'text': {
      const { text, ...shell } = block;
      out.push(ev('content_block_start', { index, content_block: { ...shell, text: '' } }));
      for (const t of splitText(String(text))) out.push(delta({ type: 'text_delta', text: t }));
      break;
    }
    case 'thinking':
      out.push(ev('content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: '' } }));
      for (const t of splitText(String(block.thinking))) out.push(delta({ type: 'thinking_delta', thinking: t }));
      out.push(delta({ type: 'signature_delta', signature: block.signature }));
      break;
    case 'tool_use': {
      const { input, ...shell } = block;
      out.push(ev('content_block_start', { index, content_block: { ...shell, input: {} } }));
      for (const j of splitJson(input)) out.push(delta({ type: 'input_json_delta', partial_json: j }));
      break;
    }
    default:
      // redacted_thinking and anything else: complete in the start event, no deltas.
      out.push(ev('content_block_start', { index, content_block: block }));
  }
  out.push(ev('content_block_stop', { index }));
  return out;
}

/** The full, well-formed event sequence for a message. */
export function messageEvents(msg: Message, b: ReplyBehaviour): WireEvent[] {
  const { content, stop_reason, stop_sequence, stop_details, container, usage, ...head } = msg;
  const start = b.stream?.startUsage;
  const startUsage = start
    ? { ...usage, output_tokens: 1, ...pickDefined(applyUsage({ input: usage.input_tokens, output: 1 }, start), start) }
    : { ...usage, output_tokens: 1 };
  const newer = b.newerFields === true;
  const startMessage: Record<string, unknown> = {
    ...head,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: startUsage,
  };
  if (newer) Object.assign(startMessage, { container: null, stop_details: null });

  const deltaUsage: Record<string, unknown> = {};
  if (b.usageInDelta) {
    deltaUsage.input_tokens = usage.input_tokens;
    deltaUsage.cache_creation_input_tokens = usage.cache_creation_input_tokens;
    deltaUsage.cache_read_input_tokens = usage.cache_read_input_tokens;
  }
  deltaUsage.output_tokens = usage.output_tokens;
  if (newer) {
    deltaUsage.server_tool_use = usage.server_tool_use;
    deltaUsage.output_tokens_details = usage.output_tokens_details;
  }
  const delta: Record<string, unknown> = { stop_reason, stop_sequence };
  if (newer) Object.assign(delta, { container: container ?? null, stop_details: stop_details ?? null });

  return [
    ev('message_start', { message: startMessage }),
    ...content.flatMap((block, i) => blockEvents(block, i)),
    ev('message_delta', { delta, usage: deltaUsage }),
    ev('message_stop'),
  ];
}

/** Fields of `full` whose key the override names (or that it derives: cache_creation ↔ its total). */
function pickDefined(full: Record<string, unknown>, override: object): Record<string, unknown> {
  const keys = new Set(Object.keys(override));
  if (keys.has('cache_creation')) keys.add('cache_creation_input_tokens');
  if (keys.has('cache_creation_input_tokens')) keys.add('cache_creation');
  return Object.fromEntries(Object.entries(full).filter(([k]) => keys.has(k)));
}

const PING: WireEvent = { event: 'ping', data: { type: 'ping' }, raw: '{"type": "ping"}' };

/** Inserts pings / unknown events and cuts the sequence for errorAfterEvents / dropAfterEvents. */
export function applyStreamKnobs(events: WireEvent[], knobs: StreamKnobs = {}, requestId: string): { events: WireEvent[]; terminal: Terminal } {
  let out = [...events];
  if (knobs.unknownEvents) {
    const firstStop = out.findIndex((e) => e.event === 'content_block_stop');
    if (firstStop >= 0) out.splice(firstStop + 1, 0, ev('future_event', { note: 'added by a newer API version' }));
    out.splice(1, 0, ev('foo_bar', { detail: 'unknown events must be ignored' }));
  }
  let pings = knobs.pings ?? 0;
  if (pings > 0) {
    const withPings: WireEvent[] = [];
    let seenStart = false;
    for (const e of out) {
      if (e.event === 'message_delta') for (; pings > 0; pings--) withPings.push(PING);
      withPings.push(e);
      const slot = e.event === 'content_block_start' ? !seenStart : seenStart && e.event === 'content_block_delta';
      if (e.event === 'content_block_start') seenStart = true;
      if (slot && pings > 0) {
        withPings.push(PING);
        pings--;
      }
    }
    out = withPings;
  }
  if (knobs.errorAfterEvents !== undefined) {
    out = out.slice(0, knobs.errorAfterEvents);
    const data = errorEventData(knobs.errorType ?? 'overloaded_error', requestId);
    out.push({ event: 'error', data });
    return { events: out, terminal: 'end' };
  }
  if (knobs.dropAfterEvents !== undefined) return { events: out.slice(0, knobs.dropAfterEvents), terminal: 'destroy' };
  return { events: out, terminal: 'end' };
}
