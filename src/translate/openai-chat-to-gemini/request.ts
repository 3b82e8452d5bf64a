// OpenAI Chat Completions request → Gemini generateContent request (§6.9, §6.1's parameter rows read for Gemini):
// generationConfig, thinking, structured output, tools.
import { TranslateError } from '../errors.js';
import { optNumber, requestedMaxTokens } from '../openai-chat/fields.js';
import { isObject } from './content.js';
import { convertMessages } from './messages.js';
import { convertToolChoice, convertTools } from './tools.js';

/** reasoning_effort → thinking budget for Gemini 2.x (Google's own OpenAI-compatible mapping). */
const THINKING_BUDGET: Record<string, number> = { none: 0, minimal: 1024, low: 1024, medium: 8192, high: 24576 };
/** Gemini 3 models take a thinking level instead (they cannot turn thinking off). */
const THINKING_LEVEL: Record<string, string> = { minimal: 'low', low: 'low', medium: 'high', high: 'high' };

/** Gemini accepts at most this many stop sequences. */
const MAX_STOPS = 5;

export interface ChatToGeminiResult {
  /** The Gemini request body (the model travels in the path, not here). */
  request: Record<string, unknown>;
  model: string;
  stream: boolean;
  /** `stream_options.include_usage`: whether the OpenAI stream ends with a usage chunk. */
  includeUsage: boolean;
}

function stopSequences(stop: unknown): string[] | undefined {
  if (stop === undefined || stop === null) return undefined;
  const list = typeof stop === 'string' ? [stop] : stop;
  if (!Array.isArray(list) || list.some((s) => typeof s !== 'string')) throw new TranslateError('stop must be a string or an array of strings', 'stop');
  const kept = (list as string[]).filter((s) => s !== '').slice(0, MAX_STOPS);
  return kept.length > 0 ? kept : undefined;
}

function thinkingConfig(effort: unknown, model: string): Record<string, unknown> | undefined {
  if (effort === undefined || effort === null) return undefined;
  if (typeof effort !== 'string' || THINKING_BUDGET[effort] === undefined) {
    throw new TranslateError("reasoning_effort must be one of 'none', 'minimal', 'low', 'medium', 'high'", 'reasoning_effort');
  }
  if (/^gemini-3/i.test(model)) return effort === 'none' ? undefined : { thinkingLevel: THINKING_LEVEL[effort], includeThoughts: true };
  return effort === 'none' ? { thinkingBudget: 0 } : { thinkingBudget: THINKING_BUDGET[effort], includeThoughts: true };
}

/** `response_format` → responseMimeType (+ responseJsonSchema, full JSON Schema). */
function responseFormat(format: unknown, config: Record<string, unknown>): void {
  if (format === undefined || format === null) return;
  if (!isObject(format)) throw new TranslateError('response_format must be an object', 'response_format');
  if (format.type === 'text') return;
  if (format.type === 'json_object') {
    config.responseMimeType = 'application/json';
    return;
  }
  if (format.type === 'json_schema') {
    const js = format.json_schema;
    if (!isObject(js) || !isObject(js.schema))
      throw new TranslateError('response_format.json_schema.schema must be a JSON Schema object', 'response_format.json_schema.schema');
    config.responseMimeType = 'application/json';
    config.responseJsonSchema = js.schema;
    return;
  }
  throw new TranslateError(`response_format.type '${String(format.type)}' is not supported`, 'response_format.type');
}

function rejectUnsupported(body: Record<string, unknown>): void {
  const n = optNumber(body, 'n');
  if (n !== undefined && n !== 1) throw new TranslateError('n must be 1: the relay returns one choice per request', 'n');
  if (body.functions !== undefined || body.function_call !== undefined) {
    const param = body.functions !== undefined ? 'functions' : 'function_call';
    throw new TranslateError(`${param} (legacy function calling) is not supported; use tools and tool_choice`, param);
  }
}

/**
 * Converts an OpenAI Chat Completions request body into a Gemini generateContent request. Parameters without a
 * Gemini counterpart (logprobs, logit_bias, user, metadata, parallel_tool_calls, …) are dropped.
 * @throws TranslateError when the request cannot be expressed for Gemini (names the offending param).
 */
export function chatToGemini(body: Record<string, unknown>): ChatToGeminiResult {
  if (typeof body.model !== 'string' || body.model === '') throw new TranslateError('model must be a non-empty string', 'model');
  rejectUnsupported(body);
  const model = body.model;
  const { systemInstruction, contents } = convertMessages(body.messages);
  const request: Record<string, unknown> = { contents };
  if (systemInstruction) request.systemInstruction = systemInstruction;
  const tools = convertTools(body.tools);
  if (tools) request.tools = tools;
  const toolConfig = convertToolChoice(body.tool_choice, tools !== undefined);
  if (toolConfig) request.toolConfig = toolConfig;

  const config: Record<string, unknown> = {};
  const numbers: [string, string][] = [
    ['temperature', 'temperature'],
    ['top_p', 'topP'],
    ['top_k', 'topK'],
    ['seed', 'seed'],
    ['presence_penalty', 'presencePenalty'],
    ['frequency_penalty', 'frequencyPenalty'],
  ];
  for (const [from, to] of numbers) {
    const v = optNumber(body, from);
    if (v !== undefined) config[to] = v;
  }
  const max = requestedMaxTokens(body);
  if (max !== undefined) config.maxOutputTokens = max;
  const stop = stopSequences(body.stop);
  if (stop) config.stopSequences = stop;
  const thinking = thinkingConfig(body.reasoning_effort, model);
  if (thinking) config.thinkingConfig = thinking;
  responseFormat(body.response_format, config);
  if (Object.keys(config).length > 0) request.generationConfig = config;

  const stream = body.stream === true;
  const includeUsage = stream && isObject(body.stream_options) && body.stream_options.include_usage === true;
  return { request, model, stream, includeUsage };
}
