// OpenAI `messages[]` → Gemini `systemInstruction` + `contents` (§6.9 rows, §6.10 #1, #2, #3, #9): roles user/model,
// tool calls as functionCall parts (their thought signature re-attached), tool results as functionResponse parts
// named after the call they answer.
import { TranslateError } from '../errors.js';
import { contentParts, isObject, plainText, type Part } from './content.js';

export interface GeminiContent {
  role: 'user' | 'model';
  parts: Part[];
}

export interface ConvertedMessages {
  systemInstruction: { parts: Part[] } | undefined;
  contents: GeminiContent[];
}

/** Tool call `arguments` → functionCall `args`. Invalid or non-object JSON becomes {} rather than failing the turn. */
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

/** The Gemini thought signature a client echoed on a tool call (Google's OpenAI-compatible field). */
export function echoedSignature(call: Record<string, unknown>): string | undefined {
  const google = isObject(call.extra_content) && isObject(call.extra_content.google) ? call.extra_content.google : undefined;
  return typeof google?.thought_signature === 'string' && google.thought_signature !== '' ? google.thought_signature : undefined;
}

function functionCallParts(calls: unknown, param: string, names: Map<string, string>): Part[] {
  if (calls === null || calls === undefined) return [];
  if (!Array.isArray(calls)) throw new TranslateError(`${param} must be an array`, param);
  return calls.map((call, i) => {
    const p = `${param}[${i}]`;
    if (!isObject(call)) throw new TranslateError(`${p} must be an object`, p);
    if (call.type !== undefined && call.type !== 'function')
      throw new TranslateError(`${p}.type '${String(call.type)}' is not supported; only function tool calls are`, `${p}.type`);
    const fn = call.function;
    if (!isObject(fn) || typeof fn.name !== 'string' || fn.name === '')
      throw new TranslateError(`${p}.function.name must be a non-empty string`, `${p}.function.name`);
    if (typeof call.id === 'string' && call.id !== '') names.set(call.id, fn.name);
    const part: Part = { functionCall: { name: fn.name, args: parseArguments(fn.arguments) } };
    const sig = echoedSignature(call);
    if (sig) part.thoughtSignature = sig;
    return part;
  });
}

/** A tool message → its functionResponse part (named after the call) and any images it carried. */
function toolResultParts(msg: Record<string, unknown>, param: string, names: Map<string, string>): Part[] {
  const id = msg.tool_call_id;
  if (typeof id !== 'string' || id === '') throw new TranslateError(`${param}.tool_call_id must be a non-empty string`, `${param}.tool_call_id`);
  const name = names.get(id);
  // Gemini matches a result to its call by name; one without a call cannot be placed (fail loudly, §6.9).
  if (name === undefined)
    throw new TranslateError(`${param}.tool_call_id '${id}' answers no tool call of an earlier assistant message`, `${param}.tool_call_id`);
  const parts = typeof msg.content === 'string' ? [] : contentParts(msg.content, `${param}.content`, 'tool');
  const text = typeof msg.content === 'string' ? msg.content : plainText(msg.content, `${param}.content`, 'tool');
  let response: Record<string, unknown> = { content: text };
  try {
    const v: unknown = JSON.parse(text);
    if (isObject(v)) response = v; // a JSON object result is sent as the object; `response` must never be a bare value
  } catch {
    // plain text
  }
  return [{ functionResponse: { name, response } }, ...parts.filter((p) => p.text === undefined)];
}

/** Appends a turn, merging a repeated role; in a user turn the function responses go first. */
function append(contents: GeminiContent[], role: GeminiContent['role'], parts: Part[]): void {
  if (parts.length === 0) return; // §6.10 #2: Gemini rejects `parts: []`
  const last = contents[contents.length - 1];
  if (!last || last.role !== role) {
    contents.push({ role, parts });
    return;
  }
  last.parts.push(...parts);
  if (role === 'user') {
    const results = last.parts.filter((p) => p.functionResponse !== undefined);
    last.parts = [...results, ...last.parts.filter((p) => p.functionResponse === undefined)];
  }
}

/** Converts the OpenAI message list. Throws TranslateError naming the offending `messages[i]…` path. */
export function convertMessages(raw: unknown): ConvertedMessages {
  if (!Array.isArray(raw) || raw.length === 0) throw new TranslateError('messages must be a non-empty array', 'messages');
  const system: string[] = [];
  const contents: GeminiContent[] = [];
  const names = new Map<string, string>();
  raw.forEach((msg, i) => {
    const param = `messages[${i}]`;
    if (!isObject(msg)) throw new TranslateError(`${param} must be an object`, param);
    switch (msg.role) {
      case 'system':
      case 'developer': {
        const text = plainText(msg.content, `${param}.content`, 'system');
        if (text.trim() !== '') system.push(text);
        break;
      }
      case 'user':
        append(contents, 'user', contentParts(msg.content, `${param}.content`, 'user'));
        break;
      case 'assistant':
        append(contents, 'model', [
          ...contentParts(msg.content, `${param}.content`, 'assistant'),
          ...functionCallParts(msg.tool_calls, `${param}.tool_calls`, names),
        ]);
        break;
      case 'tool':
        append(contents, 'user', toolResultParts(msg, param, names));
        break;
      case 'function':
        throw new TranslateError(`${param}.role 'function' (legacy function calling) is not supported; use tools`, `${param}.role`);
      default:
        throw new TranslateError(`${param}.role '${String(msg.role)}' is not a valid role`, `${param}.role`);
    }
  });
  if (contents.length === 0) throw new TranslateError('messages must contain at least one user or assistant message with content', 'messages');
  return { systemInstruction: system.length > 0 ? { parts: [{ text: system.join('\n\n') }] } : undefined, contents };
}
