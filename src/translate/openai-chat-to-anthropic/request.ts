// OpenAI Chat Completions request → Anthropic Messages request (§6.1): sampling, limits, thinking, metadata.
import { TranslateError } from '../errors.js';
import { optNumber, requestedMaxTokens } from '../openai-chat/fields.js';
import { isObject, type Block } from './content.js';
import { convertMessages } from './messages.js';
import { convertToolChoice, convertTools } from './tools.js';

/** Anthropic requires max_tokens; used when the client sends neither max_tokens nor max_completion_tokens. */
export const DEFAULT_MAX_TOKENS = 8192;

/** reasoning_effort → thinking budget (LiteLLM's defaults; 1024 is Anthropic's minimum). */
const THINKING_BUDGET: Record<string, number> = { minimal: 1024, low: 1024, medium: 2048, high: 4096 };

const MAX_USER_ID_LENGTH = 256;

/** `tools` already converted by convertTools (a cache keeps them per tools array), and their JSON when there are any. */
export interface ConvertedTools {
  list: Block[] | undefined;
  json: Buffer | null;
}

export interface ChatToMessagesResult {
  /** The Anthropic Messages request body. */
  request: Record<string, unknown>;
  /** The model the client asked for (echoed back in the answer). */
  model: string;
  stream: boolean;
  /** `stream_options.include_usage`: whether the OpenAI stream ends with a usage chunk. */
  includeUsage: boolean;
}

function maxTokens(body: Record<string, unknown>): number {
  return requestedMaxTokens(body) ?? DEFAULT_MAX_TOKENS;
}

function stopSequences(stop: unknown): string[] | undefined {
  if (stop === undefined || stop === null) return undefined;
  const list = typeof stop === 'string' ? [stop] : stop;
  if (!Array.isArray(list) || list.some((s) => typeof s !== 'string')) {
    throw new TranslateError('stop must be a string or an array of strings', 'stop');
  }
  // Anthropic rejects whitespace-only stop sequences.
  const kept = (list as string[]).filter((s) => s.trim() !== '');
  return kept.length > 0 ? kept : undefined;
}

function thinkingBudget(effort: unknown): number | undefined {
  if (effort === undefined || effort === null || effort === 'none') return undefined;
  const budget = typeof effort === 'string' ? THINKING_BUDGET[effort] : undefined;
  if (budget === undefined) {
    throw new TranslateError("reasoning_effort must be one of 'none', 'minimal', 'low', 'medium', 'high'", 'reasoning_effort');
  }
  return budget;
}

/** Anthropic's user_id must be an opaque id: never forward something that looks like an email or phone number. */
function safeUserId(body: Record<string, unknown>): string | undefined {
  const id = typeof body.user === 'string' && body.user !== '' ? body.user : body.safety_identifier;
  if (typeof id !== 'string' || id === '' || id.length > MAX_USER_ID_LENGTH || id.includes('@')) return undefined;
  if (/^\+?[\d\s().-]{7,}$/.test(id)) return undefined;
  return id;
}

/** `response_format` → `output_config.format`, or undefined. */
function outputFormat(format: unknown): Record<string, unknown> | undefined {
  if (format === undefined || format === null) return undefined;
  if (!isObject(format)) throw new TranslateError('response_format must be an object', 'response_format');
  switch (format.type) {
    case 'text':
      return undefined;
    case 'json_object':
      // Anthropic has no schema-less "any JSON object" mode, and writing an instruction into the system prompt would
      // change the prompt behind the client's back, so json_object is sent as a plain request: the client's own
      // prompt (OpenAI requires it to mention JSON) is what asks for JSON.
      return undefined;
    case 'json_schema': {
      const js = format.json_schema;
      if (!isObject(js) || !isObject(js.schema)) {
        throw new TranslateError('response_format.json_schema.schema must be a JSON Schema object', 'response_format.json_schema.schema');
      }
      return { type: 'json_schema', schema: js.schema };
    }
    default:
      throw new TranslateError(`response_format.type '${String(format.type)}' is not supported`, 'response_format.type');
  }
}

function rejectUnsupported(body: Record<string, unknown>): void {
  const n = optNumber(body, 'n');
  if (n !== undefined && n !== 1) throw new TranslateError('n must be 1: Claude models return one choice per request', 'n');
  if (body.functions !== undefined || body.function_call !== undefined) {
    const param = body.functions !== undefined ? 'functions' : 'function_call';
    throw new TranslateError(`${param} (legacy function calling) is not supported; use tools and tool_choice`, param);
  }
  if (Array.isArray(body.modalities) && body.modalities.includes('audio')) {
    throw new TranslateError('audio output is not supported for Claude models', 'modalities');
  }
}

/**
 * Converts an OpenAI Chat Completions request body into an Anthropic Messages request.
 * Fields with no Anthropic counterpart (seed, logprobs, penalties, logit_bias, …) are dropped.
 * `converted`, when given, stands for `body.tools` (which is then not read).
 * @throws TranslateError when the request cannot be expressed for Claude (names the offending param).
 */
export function chatToMessages(body: Record<string, unknown>, converted?: ConvertedTools): ChatToMessagesResult {
  if (typeof body.model !== 'string' || body.model === '') throw new TranslateError('model must be a non-empty string', 'model');
  rejectUnsupported(body);
  const model = body.model;
  const { system, messages } = convertMessages(body.messages);
  const request: Record<string, unknown> = { model, max_tokens: maxTokens(body) };
  if (system !== undefined) request.system = system;
  request.messages = messages;

  const temperature = optNumber(body, 'temperature');
  const topP = optNumber(body, 'top_p');
  const topK = optNumber(body, 'top_k'); // not OpenAI, but sent by clients that know they talk to Claude
  if (temperature !== undefined) request.temperature = Math.min(1, Math.max(0, temperature));
  // Newer Claude models reject temperature and top_p together; temperature wins.
  else if (topP !== undefined) request.top_p = topP;
  if (topK !== undefined) request.top_k = topK;

  const stop = stopSequences(body.stop);
  if (stop) request.stop_sequences = stop;

  const tools = converted === undefined ? convertTools(body.tools) : converted.list;
  if (tools) request.tools = tools;
  const toolChoice = convertToolChoice(body.tool_choice, body.parallel_tool_calls, tools !== undefined);
  if (toolChoice) request.tool_choice = toolChoice;

  const budget = thinkingBudget(body.reasoning_effort);
  // Anthropic refuses thinking with a forced tool choice; the forced call is what the client's code depends on,
  // reasoning is only a quality hint, so thinking gives way.
  const forced = toolChoice !== undefined && (toolChoice.type === 'any' || toolChoice.type === 'tool');
  if (budget !== undefined && !forced) {
    request.thinking = { type: 'enabled', budget_tokens: budget };
    // budget_tokens must stay below max_tokens; keep the client's max_tokens as room for the visible answer.
    if ((request.max_tokens as number) <= budget) request.max_tokens = budget + (request.max_tokens as number);
    // Thinking requires temperature 1 and no top_p/top_k.
    delete request.temperature;
    delete request.top_p;
    delete request.top_k;
  }

  const format = outputFormat(body.response_format);
  if (format) request.output_config = { format };

  const userId = safeUserId(body);
  if (userId !== undefined) request.metadata = { user_id: userId };

  const stream = body.stream === true;
  request.stream = stream;
  const includeUsage = stream && isObject(body.stream_options) && body.stream_options.include_usage === true;
  return { request, model, stream, includeUsage };
}
