// Chat Completions of the OpenAI personality (PROTOCOLS 4.1–4.3): validation, the completion JSON and its
// chunk sequence (data-only SSE, `[DONE]`, the include_usage chunk, tool-call fragment orders, mid-stream error).
import type { ChatReplyBehaviour, ToolCallSpec } from './openai-behaviours.js';
import {
  contentText,
  countChatPromptTokens,
  echo,
  ids,
  type OpenAIErrorObject,
  type ResolvedCall,
  resolveCall,
  sampleArguments,
  splitArguments,
} from './openai-common.js';
import type { Terminal, WireEvent } from './stream-events.js';
import { splitText } from './stream-events.js';
import { countWords } from './tokens.js';

/** The request fields the builder reads; everything else is accepted and ignored. */
export interface ChatRequest {
  model: string;
  messages: any[];
  tools?: any[];
  parallel_tool_calls?: boolean;
  max_tokens?: number;
  max_completion_tokens?: number;
  stream?: boolean;
  stream_options?: { include_usage?: boolean } | null;
}

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

const invalid = (message: string, param: string | null, code: string | null): OpenAIErrorObject => ({
  message,
  type: 'invalid_request_error',
  param,
  code,
});

/** The 400 error object for a Chat Completions body, or null when it is acceptable. */
export function validateChat(body: unknown): OpenAIErrorObject | null {
  if (!isObject(body)) return invalid('Invalid request body: expected a JSON object.', null, null);
  if (body.model === undefined) return invalid('you must provide a model parameter', 'model', null);
  if (typeof body.model !== 'string') return invalid("Invalid type for 'model': expected a string.", 'model', 'invalid_type');
  if (body.messages === undefined) return invalid("Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter');
  if (!Array.isArray(body.messages)) return invalid("Invalid type for 'messages': expected an array.", 'messages', 'invalid_type');
  if (body.messages.length === 0) {
    return invalid("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", 'messages', 'empty_array');
  }
  for (const [i, m] of body.messages.entries()) {
    if (!isObject(m) || m.role === undefined)
      return invalid(`Missing required parameter: 'messages[${i}].role'.`, `messages[${i}].role`, 'missing_required_parameter');
  }
  if (body.tools !== undefined && !Array.isArray(body.tools)) return invalid("Invalid type for 'tools': expected an array.", 'tools', 'invalid_type');
  if (body.stream !== undefined && typeof body.stream !== 'boolean') return invalid("Invalid type for 'stream': expected a boolean.", 'stream', 'invalid_type');
  return null;
}

/** Text of the last user message (string content, or its text parts joined with '\n'). */
export function lastChatUserText(messages: readonly any[]): string {
  const last = [...messages].reverse().find((m) => m?.role === 'user');
  return last ? contentText(last.content) : '';
}

/** The calls of the tool_calls scenario (see {@link ChatReplyBehaviour.scenario}). */
export function chooseChatCalls(req: ChatRequest, given?: ToolCallSpec[]): ResolvedCall[] {
  if (given?.length) return given.map(resolveCall);
  const fns = (req.tools ?? []).filter((t) => t?.type === 'function' && typeof t.function?.name === 'string');
  if (!fns.length) {
    return [resolveCall({ name: 'get_weather', arguments: { city: 'Paris' } }), resolveCall({ name: 'get_weather', arguments: { city: 'Rome' } })];
  }
  const chosen = req.parallel_tool_calls === false ? fns.slice(0, 1) : fns;
  return chosen.map((t) => resolveCall({ name: t.function.name, arguments: sampleArguments(t.function.parameters) }));
}

/** What a reply consists of, shared by the JSON and the SSE form. */
export interface ChatBuilt {
  id: string;
  created: number;
  fingerprint: string;
  text: string | null;
  calls: Array<ResolvedCall & { id: string }>;
  finish: 'stop' | 'tool_calls' | 'length';
  usage: Record<string, unknown>;
}

export function buildChat(req: ChatRequest, b: ChatReplyBehaviour, now: number): ChatBuilt {
  const scenario = b.scenario ?? 'text';
  let text: string | null = b.text ?? echo(lastChatUserText(req.messages));
  let calls: ChatBuilt['calls'] = [];
  let finish: ChatBuilt['finish'] = 'stop';
  let completion: number;
  if (scenario === 'tool_calls') {
    calls = chooseChatCalls(req, b.toolCalls).map((c) => ({ ...c, id: ids.call() }));
    text = b.text ?? null;
    finish = 'tool_calls';
    completion = countWords(text ?? '') + calls.length;
  } else if (scenario === 'length') {
    const limit = req.max_completion_tokens ?? req.max_tokens ?? 3;
    const words = text.split(/(?<=\s)(?=\S)/);
    text = words.slice(0, Math.max(1, limit)).join('').trimEnd();
    finish = 'length';
    completion = limit;
  } else {
    completion = countWords(text);
  }
  const u = b.usage ?? {};
  const prompt = u.prompt_tokens ?? countChatPromptTokens(req);
  const reasoning = u.reasoning_tokens ?? 0;
  const out = u.completion_tokens ?? completion + reasoning;
  const promptDetails: Record<string, number> = { cached_tokens: u.cached_tokens ?? 0, audio_tokens: 0 };
  if (u.cache_write_tokens !== undefined) promptDetails.cache_write_tokens = u.cache_write_tokens;
  const usage = {
    prompt_tokens: prompt,
    completion_tokens: out,
    total_tokens: prompt + out,
    prompt_tokens_details: promptDetails,
    completion_tokens_details: { reasoning_tokens: reasoning, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
  return { id: ids.chat(), created: Math.floor(now / 1000), fingerprint: ids.fingerprint(), text, calls, finish, usage };
}

/** The non-streaming `chat.completion` object. */
export function chatCompletionJson(req: ChatRequest, built: ChatBuilt): Record<string, unknown> {
  const message: Record<string, unknown> = { role: 'assistant', content: built.text, refusal: null, annotations: [] };
  if (built.calls.length) {
    message.tool_calls = built.calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
  }
  return {
    id: built.id,
    object: 'chat.completion',
    created: built.created,
    model: req.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: built.finish }],
    usage: built.usage,
    service_tier: 'default',
    system_fingerprint: built.fingerprint,
  };
}

type Frag = Record<string, unknown>;

/** Tool-call deltas per streaming mode: lists of `tool_calls` arrays, one per chunk. */
function toolCallDeltas(calls: ChatBuilt['calls'], mode: ChatReplyBehaviour['toolCallStreaming']): Frag[][] {
  const head = (c: ChatBuilt['calls'][number], i: number, args = ''): Frag => ({
    index: i,
    id: c.id,
    type: 'function',
    function: { name: c.name, arguments: args },
  });
  const frags = calls.map((c) => splitArguments(c.arguments).filter((f) => f !== ''));
  const piece = (i: number, f: string): Frag => ({ index: i, function: { arguments: f } });
  if (mode === 'single_chunk') return [calls.map((c, i) => head(c, i, c.arguments))];
  if (mode === 'interleaved') {
    const out: Frag[][] = calls.map((c, i) => [head(c, i)]);
    const longest = Math.max(0, ...frags.map((f) => f.length));
    for (let k = 0; k < longest; k++) frags.forEach((f, i) => k < f.length && out.push([piece(i, f[k])]));
    return out;
  }
  return calls.flatMap((c, i) => [[head(c, i)], ...frags[i].map((f) => [piece(i, f)])]);
}

/** The chunk sequence, cut and terminated per the behaviour's knobs. */
export function chatEvents(req: ChatRequest, b: ChatReplyBehaviour, built: ChatBuilt): { events: WireEvent[]; terminal: Terminal } {
  const includeUsage = req.stream_options?.include_usage === true;
  const chunk = (choices: unknown[], usage?: unknown): WireEvent => {
    const data: Record<string, unknown> = {
      id: built.id,
      object: 'chat.completion.chunk',
      created: built.created,
      model: req.model,
      service_tier: 'default',
      system_fingerprint: built.fingerprint,
      choices,
    };
    if (includeUsage) data.usage = usage ?? null;
    return { event: '', data };
  };
  const delta = (d: Frag, finish: string | null = null): WireEvent => chunk([{ index: 0, delta: d, logprobs: null, finish_reason: finish }]);

  let events: WireEvent[] = [delta({ role: 'assistant', content: built.calls.length && built.text === null ? null : '', refusal: null })];
  for (const t of built.text ? splitText(built.text) : []) events.push(delta({ content: t }));
  for (const tc of toolCallDeltas(built.calls, b.toolCallStreaming)) events.push(delta({ tool_calls: tc }));
  events.push(delta({}, built.finish));
  if (includeUsage) events.push(chunk([], built.usage));

  const knobs = b.stream ?? {};
  if (b.errorAfterEvents !== undefined) {
    const error = {
      message: 'The server had an error while processing your request. Sorry about that!',
      type: 'server_error',
      param: null,
      code: null,
      ...b.error,
    };
    events = [...events.slice(0, b.errorAfterEvents), { event: '', data: { error } }];
    return { events, terminal: 'end' };
  }
  if (knobs.dropAfterEvents !== undefined) return { events: events.slice(0, knobs.dropAfterEvents), terminal: 'destroy' };
  if (!b.omitDone) events.push({ event: '', data: {}, raw: '[DONE]' });
  return { events, terminal: 'end' };
}
