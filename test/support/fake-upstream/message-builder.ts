// Builds the Message (PROTOCOLS 1.4) the fake answers with, per scenario. Pure apart from random ids.
import type { ReplyBehaviour, UsageOverride } from './behaviours.js';
import { messageId, opaque, toolUseId } from './ids.js';
import { countInputTokens, countOutputTokens, countThinkingTokens } from './tokens.js';

/** The request fields the builder reads; everything else is ignored (never validated as a closed schema). */
export interface MessagesRequest {
  model: string;
  max_tokens?: number;
  messages: any[];
  system?: unknown;
  tools?: any[];
  tool_choice?: { type?: string; name?: string };
  stream?: boolean;
}

export type ContentBlock = Record<string, any> & { type: string };

export interface Usage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
  output_tokens: number;
  service_tier: string | null;
  [newer: string]: unknown;
}

export interface Message {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: ContentBlock[];
  stop_reason: string;
  stop_sequence: string | null;
  usage: Usage;
  [newer: string]: unknown;
}

/** Placeholder argument per JSON-schema type (strings and unknown types get 'x'). */
const SAMPLE_VALUES: Record<string, unknown> = { number: 1, integer: 1, boolean: true, array: [], object: {} };

const DEFAULT_TOOL = { name: 'get_weather', input: { city: 'Paris' } as Record<string, unknown> };

/** Text of the last user message: its text blocks, else its tool_result contents, joined with '\n'. */
export function lastUserText(messages: readonly any[]): string {
  const last = [...messages].reverse().find((m) => m?.role === 'user');
  if (!last) return '';
  if (typeof last.content === 'string') return last.content;
  if (!Array.isArray(last.content)) return '';
  const texts = last.content.filter((b: any) => b?.type === 'text').map((b: any) => String(b.text ?? ''));
  if (texts.length > 0) return texts.join('\n');
  return last.content
    .filter((b: any) => b?.type === 'tool_result')
    .map((b: any) => (typeof b.content === 'string' ? b.content : (Array.isArray(b.content) ? b.content : []).map((c: any) => c?.text ?? '').join('\n')))
    .join('\n');
}

/** `echo: <text>` with the user text cut to 200 characters (code points, so no surrogate is split). */
export const defaultReplyText = (req: MessagesRequest): string => `echo: ${Array.from(lastUserText(req.messages)).slice(0, 200).join('')}`;

/** The tool the tool_use scenario calls: `tool_choice.name`, else the first custom tool, else get_weather. */
export function chooseTool(req: MessagesRequest): { name: string; input: Record<string, unknown> } {
  const custom = (req.tools ?? []).filter((t) => t && typeof t.name === 'string' && (!t.type || t.type === 'custom'));
  const named = req.tool_choice?.type === 'tool' ? custom.find((t) => t.name === req.tool_choice?.name) : undefined;
  const tool = named ?? custom[0];
  if (!tool) return { ...DEFAULT_TOOL, input: { ...DEFAULT_TOOL.input } };
  const schema = tool.input_schema ?? {};
  const input: Record<string, unknown> = {};
  for (const prop of Array.isArray(schema.required) ? schema.required : []) {
    input[prop] = structuredClone(SAMPLE_VALUES[schema.properties?.[prop]?.type] ?? 'x');
  }
  return { name: tool.name, input };
}

function textBlock(text: string, newer: boolean): ContentBlock {
  return newer ? { type: 'text', text, citations: null } : { type: 'text', text };
}

interface BuiltContent {
  content: ContentBlock[];
  stopReason: string;
}

function buildContent(req: MessagesRequest, b: ReplyBehaviour): BuiltContent {
  const newer = b.newerFields === true;
  const answer = b.text ?? defaultReplyText(req);
  switch (b.scenario ?? 'text') {
    case 'tool_use': {
      const tool = chooseTool(req);
      const call: ContentBlock = { type: 'tool_use', id: toolUseId(), name: tool.name, input: tool.input };
      if (newer) call.caller = { type: 'direct' };
      return { content: [textBlock(b.text ?? `I'll use the ${tool.name} tool.`, newer), call], stopReason: 'tool_use' };
    }
    case 'thinking': {
      const thinking = `The user wrote: ${Array.from(lastUserText(req.messages)).slice(0, 100).join('')}. I will answer.`;
      const block = { type: 'thinking', thinking, signature: opaque(`sig:${thinking}`, 96) };
      return { content: [block, textBlock(answer, newer)], stopReason: 'end_turn' };
    }
    case 'redacted_thinking':
      return {
        content: [{ type: 'redacted_thinking', data: opaque(`redacted:${answer}`, 120) }, textBlock(answer, newer)],
        stopReason: 'end_turn',
      };
    case 'refusal':
      return { content: [textBlock(b.text ?? "I can't help with that.", newer)], stopReason: 'refusal' };
    case 'max_tokens': {
      const words = answer.split(/(?<=\s)(?=\S)/);
      const keep = Math.max(1, Math.min(words.length, req.max_tokens ?? words.length));
      return { content: [textBlock(words.slice(0, keep).join('').trimEnd(), newer)], stopReason: 'max_tokens' };
    }
    default:
      return { content: [textBlock(answer, newer)], stopReason: 'end_turn' };
  }
}

/** Computed usage with the override applied (see {@link UsageOverride}). */
export function applyUsage(base: { input: number; output: number }, o: UsageOverride = {}): Usage {
  let cacheCreation = { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 };
  let cacheCreationTotal = 0;
  if (o.cache_creation) {
    cacheCreation = {
      ephemeral_5m_input_tokens: o.cache_creation.ephemeral_5m_input_tokens ?? 0,
      ephemeral_1h_input_tokens: o.cache_creation.ephemeral_1h_input_tokens ?? 0,
    };
    cacheCreationTotal = cacheCreation.ephemeral_5m_input_tokens + cacheCreation.ephemeral_1h_input_tokens;
  } else if (o.cache_creation_input_tokens !== undefined) {
    cacheCreation = { ephemeral_5m_input_tokens: o.cache_creation_input_tokens, ephemeral_1h_input_tokens: 0 };
  }
  return {
    input_tokens: o.input_tokens ?? base.input,
    cache_creation_input_tokens: o.cache_creation_input_tokens ?? cacheCreationTotal,
    cache_read_input_tokens: o.cache_read_input_tokens ?? 0,
    cache_creation: cacheCreation,
    output_tokens: o.output_tokens ?? base.output,
    service_tier: o.service_tier === undefined ? 'standard' : o.service_tier,
  };
}

/** The complete non-streaming Message for a request and reply behaviour. */
export function buildMessage(req: MessagesRequest, b: ReplyBehaviour): Message {
  const { content, stopReason } = buildContent(req, b);
  const scenario = b.scenario ?? 'text';
  const output = scenario === 'max_tokens' && req.max_tokens !== undefined ? req.max_tokens : countOutputTokens(content);
  const usage = applyUsage({ input: countInputTokens(req), output }, b.usage);
  const message: Message = {
    id: messageId(),
    type: 'message',
    role: 'assistant',
    model: req.model,
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    usage,
  };
  if (b.newerFields) {
    message.container = null;
    message.stop_details = stopReason === 'refusal' ? { type: 'refusal', category: null, explanation: null } : null;
    usage.server_tool_use = { web_search_requests: 0, web_fetch_requests: 0 };
    usage.inference_geo = 'global';
    usage.output_tokens_details = { thinking_tokens: countThinkingTokens(content) };
  }
  return message;
}
