// Anthropic Messages answer (non-streaming) → OpenAI chat.completion (§6.2), and the stop → finish reason table (§6.8).
import { toChatUsage, type AnthropicUsage } from './usage.js';

/** The identity of the completion, decided by the surface (the model is the one the client asked for). */
export interface CompletionContext {
  model: string;
  id: string;
  created: number;
}

const FINISH_REASON: Record<string, string> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

/** Anthropic `stop_reason` → OpenAI `finish_reason`; unknown or missing reasons read as a normal stop. */
export function finishReason(stopReason: unknown): string {
  return (typeof stopReason === 'string' && FINISH_REASON[stopReason]) || 'stop';
}

interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/**
 * Converts an Anthropic Message into an OpenAI `chat.completion`: text blocks joined into `content` (null when
 * there are none), tool_use blocks into `tool_calls` in block order, thinking into the non-standard
 * `reasoning_content`; redacted thinking and server-tool blocks are dropped.
 */
export function messageToChatCompletion(answer: unknown, ctx: CompletionContext): object {
  const msg = (typeof answer === 'object' && answer !== null ? answer : {}) as { content?: unknown; stop_reason?: unknown; usage?: AnthropicUsage | null };
  const blocks: unknown[] = Array.isArray(msg.content) ? msg.content : [];
  const text: string[] = [];
  const thinking: string[] = [];
  const toolCalls: ToolCall[] = [];
  for (const b of blocks) {
    if (typeof b !== 'object' || b === null) continue;
    const block = b as Record<string, unknown>;
    if (block.type === 'text' && typeof block.text === 'string') text.push(block.text);
    else if (block.type === 'thinking' && typeof block.thinking === 'string') thinking.push(block.thinking);
    else if (block.type === 'tool_use') {
      toolCalls.push({
        id: String(block.id),
        type: 'function',
        function: { name: String(block.name), arguments: JSON.stringify(block.input ?? {}) },
      });
    }
  }
  const message: Record<string, unknown> = {
    role: 'assistant',
    content: text.length > 0 ? text.join('') : null,
    refusal: null,
  };
  const reasoning = thinking.join('');
  if (reasoning !== '') message.reasoning_content = reasoning;
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return {
    id: ctx.id,
    object: 'chat.completion',
    created: ctx.created,
    model: ctx.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(msg.stop_reason) }],
    usage: toChatUsage(msg.usage),
  };
}
