// OpenAI `tools`, `tool_choice` and `parallel_tool_calls` → Anthropic `tools` and `tool_choice` (§6.1).
import { TranslateError } from '../errors.js';
import { isObject, type Block } from './content.js';

function convertTool(tool: unknown, param: string): Block {
  if (!isObject(tool)) throw new TranslateError(`${param} must be an object`, param);
  if (tool.type !== 'function') {
    throw new TranslateError(`${param}.type '${String(tool.type)}' is not supported; only function tools are`, `${param}.type`);
  }
  const fn = tool.function;
  if (!isObject(fn) || typeof fn.name !== 'string' || fn.name === '') {
    throw new TranslateError(`${param}.function.name must be a non-empty string`, `${param}.function.name`);
  }
  if (fn.parameters !== undefined && fn.parameters !== null && !isObject(fn.parameters)) {
    throw new TranslateError(`${param}.function.parameters must be a JSON Schema object`, `${param}.function.parameters`);
  }
  const out: Block = { name: fn.name };
  if (typeof fn.description === 'string' && fn.description !== '') out.description = fn.description;
  out.input_schema = fn.parameters ?? { type: 'object', properties: {} };
  if (typeof fn.strict === 'boolean') out.strict = fn.strict;
  return out;
}

/** `tools` → Anthropic tool definitions; undefined when absent or empty. */
export function convertTools(tools: unknown): Block[] | undefined {
  if (tools === undefined || tools === null) return undefined;
  if (!Array.isArray(tools)) throw new TranslateError('tools must be an array', 'tools');
  return tools.length > 0 ? tools.map((t, i) => convertTool(t, `tools[${i}]`)) : undefined;
}

function mapChoice(choice: unknown): Block | undefined {
  if (choice === undefined || choice === null) return undefined;
  if (choice === 'auto') return { type: 'auto' };
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return { type: 'any' };
  if (isObject(choice) && choice.type === 'function') {
    const fn = choice.function;
    if (!isObject(fn) || typeof fn.name !== 'string' || fn.name === '') {
      throw new TranslateError('tool_choice.function.name must be a non-empty string', 'tool_choice.function.name');
    }
    return { type: 'tool', name: fn.name };
  }
  throw new TranslateError("tool_choice must be 'auto', 'none', 'required' or {type:'function', function:{name}}", 'tool_choice');
}

/**
 * `tool_choice` + `parallel_tool_calls` → Anthropic `tool_choice`. Without tools both are meaningless and dropped
 * (Anthropic would reject a tool_choice that names no tool).
 */
export function convertToolChoice(choice: unknown, parallel: unknown, hasTools: boolean): Block | undefined {
  let out = mapChoice(choice);
  if (!hasTools) return undefined;
  if (parallel === false) {
    out ??= { type: 'auto' };
    // `none` accepts no disable_parallel_tool_use flag: with no tool calls there is nothing to serialise.
    if (out.type !== 'none') out = { ...out, disable_parallel_tool_use: true };
  }
  return out;
}
