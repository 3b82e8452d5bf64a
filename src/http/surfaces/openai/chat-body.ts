// A chat request for the Claude pool, read and written with as little parsing and serialising as its bytes allow.
// Two parts of an agent's request are large and go to the Anthropic body unchanged in meaning: its tools (converted
// once per distinct array, chat-tools.ts) and its leading system prompt (Claude Code's is ~9 KB; JSON.stringify on
// Node 20 checks every character of it again, ~14 µs). Both are spliced into the Anthropic body as bytes: the tools'
// cached JSON, and the client's own string literal of the system prompt (JSON.parse accepted it, and it stands for
// exactly the text the conversion made the Anthropic `system`).
import { firstElement, scanObject, tryParseJson } from '../../../platform/json-fields.js';
import type { ConvertedTools } from '../../../translate/openai-chat-to-anthropic/index.js';
import { parseJsonObject } from '../../request-body.js';
import { convertedFor, TOOLS_CACHE_MIN_BYTES } from './chat-tools.js';

/** A system prompt shorter than this is serialised as usual (the splice costs about what 1 KB of checking does). */
const SYSTEM_SPLICE_MIN_CHARS = 1024;
const QUOTE = 0x22;

export interface ChatBody {
  body: Record<string, unknown>;
  /** The body's tools, converted (its own `tools` field is then null). */
  tools?: ConvertedTools;
  /** The leading system message's text, and the client's JSON string literal of it (a view of the request's bytes). */
  system?: { text: string; literal: Buffer };
}

/**
 * Parses a chat request; for a model the Claude pool serves (`forClaude`), its tools come converted from the cache
 * and a long leading system prompt keeps its literal. Anything unusual (a body the scan refuses, a model that is not a
 * string, tools that do not convert or JSON that does not parse) is parsed whole, so errors and their order stay those
 * of parseJsonObject and chatToMessages.
 */
export function readChatBody(raw: unknown, forClaude: (model: string) => boolean): ChatBody {
  if (!Buffer.isBuffer(raw) || raw.length < TOOLS_CACHE_MIN_BYTES) return { body: parseJsonObject(raw) };
  const fields = scanObject(raw);
  const model = fields?.get('model');
  if (!fields || model === undefined) return { body: parseJsonObject(raw) };
  const name = tryParseJson(raw.toString('utf8', model[0], model[1]));
  if (typeof name !== 'string' || !forClaude(name)) return { body: parseJsonObject(raw) };
  const tools = fields.get('tools');
  const converted = tools !== undefined && tools[1] - tools[0] >= TOOLS_CACHE_MIN_BYTES ? convertedFor(raw, tools[0], tools[1]) : null;
  let body: Record<string, unknown>;
  if (converted === null) body = parseJsonObject(raw);
  else {
    const rest = tryParseJson(raw.toString('utf8', 0, tools![0]) + 'null' + raw.toString('utf8', tools![1]));
    if (typeof rest !== 'object' || rest === null || Array.isArray(rest)) return { body: parseJsonObject(raw) };
    body = rest as Record<string, unknown>;
  }
  const out: ChatBody = { body };
  if (converted !== null) out.tools = converted;
  const messages = fields.get('messages');
  const system = messages && leadingSystem(raw, messages[0], body);
  if (system) out.system = system;
  return out;
}

/** The first message's text and literal when it is a system message with a long string content. */
function leadingSystem(raw: Buffer, messagesAt: number, body: Record<string, unknown>): ChatBody['system'] | undefined {
  const first = Array.isArray(body.messages) ? (body.messages[0] as { role?: unknown; content?: unknown } | undefined) : undefined;
  if (first?.role !== 'system' || typeof first.content !== 'string' || first.content.length < SYSTEM_SPLICE_MIN_CHARS) return undefined;
  const el = firstElement(raw, messagesAt);
  const content = el && scanObject(raw.subarray(el[0], el[1]))?.get('content');
  if (!el || !content || raw[el[0] + content[0]] !== QUOTE) return undefined;
  return { text: first.content, literal: raw.subarray(el[0] + content[0], el[0] + content[1]) };
}

const SYSTEM_FIELD = Buffer.from('{"system":');
const TOOLS_FIELD = Buffer.from(',"tools":');
const COMMA = 0x2c;
const CLOSE = 0x7d;

/**
 * The Anthropic request's bytes. Converted tools and the system prompt's literal (when `request.system` is still
 * exactly that text) are spliced in — the system first, the tools last — instead of being serialised again; the two
 * fields are hidden from JSON.stringify for that one call and kept on the request object for whoever reads it later
 * (a model rewrite serialises the object again).
 */
export function anthropicBody(request: Record<string, unknown>, chat: ChatBody): Buffer {
  const tools = chat.tools?.json ?? null;
  const system = chat.system !== undefined && request.system === chat.system.text ? chat.system.literal : null;
  if (tools === null && system === null) return Buffer.from(JSON.stringify(request));
  const { tools: list, system: text } = request;
  if (tools !== null) request.tools = undefined;
  if (system !== null) request.system = undefined;
  const head = JSON.stringify(request); // `{…}`, with at least the model in it
  if (tools !== null) request.tools = list;
  if (system !== null) request.system = text;
  // One buffer, each part copied once: [{"system":<literal>,]{head…}[,"tools":<json>}]. The head goes in whole; its
  // braces then become the separator before it (or stay the opening brace) and after it (or stay the closing one).
  const headBytes = Buffer.byteLength(head);
  const before = system === null ? 0 : SYSTEM_FIELD.length + system.length;
  // After the head: `,"tools":` over its closing brace, the tools, a new closing brace.
  const after = tools === null ? 0 : TOOLS_FIELD.length + tools.length;
  const out = Buffer.allocUnsafe(before + headBytes + after);
  if (system !== null) {
    SYSTEM_FIELD.copy(out, 0);
    system.copy(out, SYSTEM_FIELD.length);
  }
  out.write(head, before, 'utf8');
  if (system !== null) out[before] = COMMA;
  if (tools !== null) {
    const at = before + headBytes - 1; // the head's closing brace
    TOOLS_FIELD.copy(out, at);
    tools.copy(out, at + TOOLS_FIELD.length);
    out[out.length - 1] = CLOSE;
  }
  return out;
}
