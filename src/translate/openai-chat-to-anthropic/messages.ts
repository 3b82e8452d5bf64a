// OpenAI `messages[]` → Anthropic `system` + alternating user/assistant turns (§6.1 message rows, §6.10 #1, #2).
import { TranslateError } from '../errors.js';
import { contentBlocks, isObject, systemText, toolResultContent, type Block } from './content.js';

export interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: string | Block[];
}

export interface ConvertedMessages {
  /** System and developer messages joined with a blank line; undefined when there are none. */
  system: string | undefined;
  messages: AnthropicMessage[];
}

interface Turn {
  role: 'user' | 'assistant';
  blocks: Block[];
}

/** Tool call `arguments` → tool_use `input`. Invalid or non-object JSON becomes {} rather than failing the turn. */
export function parseArguments(args: unknown): Record<string, unknown> {
  if (isObject(args)) return args;
  if (typeof args !== 'string' || args.trim() === '') return {};
  try {
    const v: unknown = JSON.parse(args);
    return isObject(v) ? v : {};
  } catch {
    return {};
  }
}

/**
 * Anthropic tool ids must match ^[a-zA-Z0-9_-]+$. Ids minted by other providers (e.g. "functions.get_time:0") are
 * rewritten, the same way in tool_use and tool_result so they still pair up; the hash suffix keeps distinct ids apart.
 */
export function anthropicToolId(id: string): string {
  if (/^[a-zA-Z0-9_-]+$/.test(id)) return id;
  let h = 0x811c9dc5; // FNV-1a
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return `${id.replace(/[^a-zA-Z0-9_-]/g, '_')}_${h.toString(36)}`;
}

function toolUseBlocks(calls: unknown, param: string): Block[] {
  if (calls === null || calls === undefined) return [];
  if (!Array.isArray(calls)) throw new TranslateError(`${param} must be an array`, param);
  return calls.map((call, i) => {
    const p = `${param}[${i}]`;
    if (!isObject(call)) throw new TranslateError(`${p} must be an object`, p);
    if (call.type !== undefined && call.type !== 'function') {
      throw new TranslateError(`${p}.type '${String(call.type)}' is not supported; only function tool calls are`, `${p}.type`);
    }
    if (typeof call.id !== 'string' || call.id === '') throw new TranslateError(`${p}.id must be a non-empty string`, `${p}.id`);
    const fn = call.function;
    if (!isObject(fn) || typeof fn.name !== 'string' || fn.name === '') {
      throw new TranslateError(`${p}.function.name must be a non-empty string`, `${p}.function.name`);
    }
    return { type: 'tool_use', id: anthropicToolId(call.id), name: fn.name, input: parseArguments(fn.arguments) };
  });
}

function toolResultBlock(msg: Record<string, unknown>, param: string): Block {
  if (typeof msg.tool_call_id !== 'string' || msg.tool_call_id === '') {
    throw new TranslateError(`${param}.tool_call_id must be a non-empty string`, `${param}.tool_call_id`);
  }
  const block: Block = { type: 'tool_result', tool_use_id: anthropicToolId(msg.tool_call_id) };
  const content = toolResultContent(msg.content, `${param}.content`);
  if (content !== undefined) block.content = content;
  return block;
}

/**
 * Appends a turn, merging it into the previous one when the role repeats (Anthropic requires alternation).
 * In a user turn every tool_result goes first: Anthropic wants the results right after the assistant's tool_use.
 */
function append(turns: Turn[], role: Turn['role'], blocks: Block[]): void {
  if (blocks.length === 0) return; // §6.10 #2: a message with nothing left is dropped
  const last = turns[turns.length - 1];
  if (!last || last.role !== role) {
    turns.push({ role, blocks });
    return;
  }
  last.blocks.push(...blocks);
  if (role === 'user') {
    const results = last.blocks.filter((b) => b.type === 'tool_result');
    last.blocks = [...results, ...last.blocks.filter((b) => b.type !== 'tool_result')];
  }
}

/** Anthropic rejects a final assistant turn (a prefill) that ends in whitespace. */
function trimPrefill(turns: Turn[]): void {
  const last = turns[turns.length - 1];
  if (!last || last.role !== 'assistant') return;
  const tail = last.blocks[last.blocks.length - 1];
  if (tail.type !== 'text') return;
  const text = (tail.text as string).trimEnd();
  if (text === '') last.blocks.pop();
  else last.blocks[last.blocks.length - 1] = { ...tail, text };
  if (last.blocks.length === 0) turns.pop();
}

/** A lone plain text block is sent as a string, the form most Anthropic examples (and logs) use. */
function toMessage(t: Turn): AnthropicMessage {
  const only = t.blocks[0];
  if (t.blocks.length === 1 && only.type === 'text' && Object.keys(only).length === 2) {
    return { role: t.role, content: only.text as string };
  }
  return { role: t.role, content: t.blocks };
}

/** Converts the OpenAI message list. Throws TranslateError naming the offending `messages[i]…` path. */
export function convertMessages(raw: unknown): ConvertedMessages {
  if (!Array.isArray(raw) || raw.length === 0) throw new TranslateError('messages must be a non-empty array', 'messages');
  const system: string[] = [];
  const turns: Turn[] = [];
  raw.forEach((msg, i) => {
    const param = `messages[${i}]`;
    if (!isObject(msg)) throw new TranslateError(`${param} must be an object`, param);
    switch (msg.role) {
      case 'system':
      case 'developer': {
        // Anthropic has no mid-conversation system turn: every system message is hoisted, in order (lossy).
        const text = systemText(msg.content, `${param}.content`);
        if (text.trim() !== '') system.push(text);
        break;
      }
      case 'user':
        append(turns, 'user', contentBlocks(msg.content, `${param}.content`, 'user'));
        break;
      case 'assistant':
        append(turns, 'assistant', [...contentBlocks(msg.content, `${param}.content`, 'assistant'), ...toolUseBlocks(msg.tool_calls, `${param}.tool_calls`)]);
        break;
      case 'tool':
        append(turns, 'user', [toolResultBlock(msg, param)]);
        break;
      case 'function':
        throw new TranslateError(`${param}.role 'function' (legacy function calling) is not supported; use tools`, `${param}.role`);
      default:
        throw new TranslateError(`${param}.role '${String(msg.role)}' is not a valid role`, `${param}.role`);
    }
  });
  trimPrefill(turns);
  if (turns.length === 0) {
    throw new TranslateError('messages must contain at least one user or assistant message with content', 'messages');
  }
  return { system: system.length > 0 ? system.join('\n\n') : undefined, messages: turns.map(toMessage) };
}
