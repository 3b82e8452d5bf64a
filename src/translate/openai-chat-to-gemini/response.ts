// Gemini generateContent answer → OpenAI chat.completion (§6.9 read for O, §6.8): text and thought parts, function
// calls as tool_calls (with the thought signature in Google's `extra_content` so clients can echo it back).
import { isObject } from './content.js';
import { geminiToChatUsage } from './usage.js';

/** The identity of the completion, decided by the surface (the model is the one the client asked for). */
export interface CompletionContext {
  model: string;
  /** `chatcmpl-…`; tool call ids are derived from it (Gemini's calls usually have none). */
  id: string;
  created: number;
}

const FILTERED = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY', 'LANGUAGE', 'IMAGE_PROHIBITED_CONTENT']);

/** Gemini `finishReason` → OpenAI `finish_reason`; a tool call wins (Gemini ends calls with STOP). */
export function finishReason(reason: unknown, hasToolCalls: boolean): string {
  if (hasToolCalls) return 'tool_calls';
  if (reason === 'MAX_TOKENS') return 'length';
  if (typeof reason === 'string' && FILTERED.has(reason)) return 'content_filter';
  return 'stop';
}

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
  extra_content?: { google: { thought_signature: string } };
}

/** A functionCall part → an OpenAI tool call; `ordinal` numbers the calls of one answer. */
export function toolCallOf(part: Record<string, unknown>, ctx: CompletionContext, ordinal: number): ToolCall {
  const fc = part.functionCall as Record<string, unknown>;
  const id = typeof fc.id === 'string' && fc.id !== '' ? fc.id : `call_${ctx.id.replace(/^chatcmpl-/, '')}_${ordinal}`;
  const call: ToolCall = { id, type: 'function', function: { name: String(fc.name ?? ''), arguments: JSON.stringify(isObject(fc.args) ? fc.args : {}) } };
  if (typeof part.thoughtSignature === 'string' && part.thoughtSignature !== '') call.extra_content = { google: { thought_signature: part.thoughtSignature } };
  return call;
}

/** The parts of the first candidate (Gemini may return none, e.g. for a blocked prompt). */
export function partsOf(answer: Record<string, unknown>): { parts: Record<string, unknown>[]; finish: unknown; blocked: boolean } {
  const cand = Array.isArray(answer.candidates) && isObject(answer.candidates[0]) ? answer.candidates[0] : undefined;
  const parts = isObject(cand?.content) && Array.isArray(cand.content.parts) ? cand.content.parts.filter(isObject) : [];
  const blocked = cand === undefined && isObject(answer.promptFeedback) && answer.promptFeedback.blockReason !== undefined;
  return { parts, finish: cand?.finishReason, blocked };
}

/**
 * Converts a Gemini GenerateContentResponse into an OpenAI `chat.completion`: answer text joined into `content`
 * (null when there is none), thoughts into the non-standard `reasoning_content`, function calls into `tool_calls`.
 */
export function geminiToChatCompletion(answer: unknown, ctx: CompletionContext): object {
  const a = isObject(answer) ? answer : {};
  const { parts, finish, blocked } = partsOf(a);
  const text: string[] = [];
  const thoughts: string[] = [];
  const toolCalls: ToolCall[] = [];
  for (const p of parts) {
    if (isObject(p.functionCall)) toolCalls.push(toolCallOf(p, ctx, toolCalls.length));
    else if (typeof p.text === 'string') (p.thought === true ? thoughts : text).push(p.text);
  }
  const message: Record<string, unknown> = { role: 'assistant', content: text.length > 0 ? text.join('') : null, refusal: null };
  if (thoughts.length > 0) message.reasoning_content = thoughts.join('');
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return {
    id: ctx.id,
    object: 'chat.completion',
    created: ctx.created,
    model: ctx.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: blocked ? 'content_filter' : finishReason(finish, toolCalls.length > 0) }],
    usage: geminiToChatUsage(a.usageMetadata),
  };
}
