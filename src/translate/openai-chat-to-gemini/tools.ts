// OpenAI `tools` and `tool_choice` → Gemini `tools[].functionDeclarations` and `toolConfig` (§6.9).
import { TranslateError } from '../errors.js';
import { isObject } from './content.js';
import { geminiSchema } from './schema.js';

type Json = Record<string, unknown>;

function declaration(tool: unknown, param: string): Json {
  if (!isObject(tool)) throw new TranslateError(`${param} must be an object`, param);
  if (tool.type !== 'function') throw new TranslateError(`${param}.type '${String(tool.type)}' is not supported; only function tools are`, `${param}.type`);
  const fn = tool.function;
  if (!isObject(fn) || typeof fn.name !== 'string' || fn.name === '')
    throw new TranslateError(`${param}.function.name must be a non-empty string`, `${param}.function.name`);
  if (fn.parameters !== undefined && fn.parameters !== null && !isObject(fn.parameters)) {
    throw new TranslateError(`${param}.function.parameters must be a JSON Schema object`, `${param}.function.parameters`);
  }
  const out: Json = { name: fn.name };
  if (typeof fn.description === 'string' && fn.description !== '') out.description = fn.description;
  out.parameters = geminiSchema(fn.parameters);
  return out;
}

/** `tools` → one Gemini tool holding every function declaration; undefined when absent or empty. */
export function convertTools(tools: unknown): Json[] | undefined {
  if (tools === undefined || tools === null) return undefined;
  if (!Array.isArray(tools)) throw new TranslateError('tools must be an array', 'tools');
  return tools.length > 0 ? [{ functionDeclarations: tools.map((t, i) => declaration(t, `tools[${i}]`)) }] : undefined;
}

/** `tool_choice` → `toolConfig.functionCallingConfig`; AUTO when there are tools and no choice; nothing without tools. */
export function convertToolChoice(choice: unknown, hasTools: boolean): Json | undefined {
  let config: Json;
  if (choice === undefined || choice === null || choice === 'auto') config = { mode: 'AUTO' };
  else if (choice === 'none') config = { mode: 'NONE' };
  else if (choice === 'required') config = { mode: 'ANY' };
  else if (isObject(choice) && choice.type === 'function') {
    const fn = choice.function;
    if (!isObject(fn) || typeof fn.name !== 'string' || fn.name === '')
      throw new TranslateError('tool_choice.function.name must be a non-empty string', 'tool_choice.function.name');
    config = { mode: 'ANY', allowedFunctionNames: [fn.name] };
  } else {
    throw new TranslateError("tool_choice must be 'auto', 'none', 'required' or {type:'function', function:{name}}", 'tool_choice');
  }
  return hasTools ? { functionCallingConfig: config } : undefined;
}
