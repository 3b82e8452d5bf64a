// The Responses API of the OpenAI personality (PROTOCOLS 4.5): validation, the Response object and its event
// sequence (created, in_progress, item/part events, one output_item.done per item, a terminal event).
import { opaque } from './ids.js';
import type { CodexPlanUsage, ResponsesReplyBehaviour } from './openai-behaviours.js';
import {
  contentText,
  countResponsesInputTokens,
  echo,
  ids,
  messageForCode,
  type OpenAIErrorObject,
  resolveCall,
  sampleArguments,
  splitArguments,
  usageLimitError,
} from './openai-common.js';
import type { Terminal, WireEvent } from './stream-events.js';
import { splitText } from './stream-events.js';
import { countWords } from './tokens.js';

/** The request fields the builder reads; everything else (Codex's client_metadata, …) is accepted and ignored. */
export interface ResponsesRequest {
  model: string;
  input?: string | any[];
  instructions?: string | null;
  tools?: any[];
  tool_choice?: unknown;
  parallel_tool_calls?: boolean;
  reasoning?: { effort?: string | null; summary?: string | null } | null;
  include?: string[];
  store?: boolean;
  stream?: boolean;
  text?: Record<string, unknown>;
  prompt_cache_key?: string;
  max_output_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  metadata?: Record<string, string> | null;
  previous_response_id?: string | null;
}

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const invalid = (message: string, param: string | null, code: string | null): OpenAIErrorObject => ({ message, type: 'invalid_request_error', param, code });

/** The 400 error object for a Responses body (open schema: unknown tool and item types pass), or null. */
export function validateResponses(body: unknown): OpenAIErrorObject | null {
  if (!isObject(body)) return invalid('Invalid request body: expected a JSON object.', null, null);
  if (body.model === undefined) return invalid("Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
  if (typeof body.model !== 'string') return invalid("Invalid type for 'model': expected a string.", 'model', 'invalid_type');
  if (body.input !== undefined && typeof body.input !== 'string' && !Array.isArray(body.input)) {
    return invalid("Invalid type for 'input': expected one of a string or an array of input items.", 'input', 'invalid_type');
  }
  if (body.tools !== undefined && !Array.isArray(body.tools)) return invalid("Invalid type for 'tools': expected an array.", 'tools', 'invalid_type');
  for (const [i, t] of (body.tools ?? []).entries()) {
    if (!isObject(t) || typeof t.type !== 'string')
      return invalid(`Missing required parameter: 'tools[${i}].type'.`, `tools[${i}].type`, 'missing_required_parameter');
    if ((t.type === 'function' || t.type === 'custom') && typeof t.name !== 'string') {
      return invalid(`Missing required parameter: 'tools[${i}].name'.`, `tools[${i}].name`, 'missing_required_parameter');
    }
  }
  if (body.stream !== undefined && typeof body.stream !== 'boolean') return invalid("Invalid type for 'stream': expected a boolean.", 'stream', 'invalid_type');
  return null;
}

/** The last user turn: a user message's text, or the output of the function calls answered after it. */
export function lastResponsesUserText(input: ResponsesRequest['input']): string {
  if (typeof input === 'string') return input;
  const items = Array.isArray(input) ? input : [];
  const last = [...items].reverse().find((it) => it?.role === 'user' || it?.type === 'function_call_output' || it?.type === 'custom_tool_call_output');
  if (!last) return '';
  return last.role === 'user' ? contentText(last.content) : typeof last.output === 'string' ? last.output : contentText(last.output);
}

type Item = Record<string, any>;

/** Everything an answer consists of; the same object feeds the JSON answer and the event sequence. */
export interface ResponsesBuilt {
  id: string;
  createdAt: number;
  output: Item[];
  usage: Record<string, unknown>;
  status: 'completed' | 'incomplete' | 'failed';
  error: OpenAIErrorObject | null;
}

const messageItem = (text: string, status = 'completed'): Item => ({
  type: 'message',
  id: ids.message(),
  status,
  role: 'assistant',
  content: [{ type: 'output_text', text, annotations: [], logprobs: [] }],
});

export function buildResponse(
  req: ResponsesRequest,
  b: ResponsesReplyBehaviour,
  ctx: { now: number; planType?: string; plan?: CodexPlanUsage },
): ResponsesBuilt {
  const scenario = b.scenario ?? 'text';
  const answer = b.text ?? echo(lastResponsesUserText(req.input));
  const output: Item[] = [];
  let words = 0;
  let reasoningTokens = 0;
  let status: ResponsesBuilt['status'] = 'completed';
  if (scenario === 'function_call') {
    const fn = (req.tools ?? []).find((t) => t?.type === 'function' && typeof t.name === 'string');
    const call = resolveCall(
      b.functionCall ?? (fn ? { name: fn.name, arguments: sampleArguments(fn.parameters) } : { name: 'get_weather', arguments: { city: 'Paris' } }),
    );
    output.push({ type: 'function_call', id: ids.functionCall(), call_id: ids.call(), name: call.name, arguments: call.arguments, status: 'completed' });
    words = 1;
  } else {
    if (scenario === 'reasoning') {
      const summary = `**Reading the request** The user wrote: ${Array.from(lastResponsesUserText(req.input)).slice(0, 100).join('')}. I will answer.`;
      const item: Item = { type: 'reasoning', id: ids.reasoning(), summary: [{ type: 'summary_text', text: summary }] };
      if (req.include?.includes('reasoning.encrypted_content')) item.encrypted_content = `gAAAAA${opaque(`enc:${summary}`, 120)}`;
      output.push(item);
      reasoningTokens = countWords(summary) + 1;
    }
    const text =
      scenario === 'incomplete'
        ? answer
            .split(/(?<=\s)(?=\S)/)
            .slice(0, 3)
            .join('')
            .trimEnd()
        : answer;
    if (scenario === 'incomplete') status = 'incomplete';
    output.push(messageItem(text, status === 'incomplete' ? 'incomplete' : 'completed'));
    words = countWords(text);
  }
  const u = b.usage ?? {};
  const input = u.input_tokens ?? countResponsesInputTokens(req);
  const reasoning = u.reasoning_tokens ?? reasoningTokens;
  const out = u.output_tokens ?? words + reasoning;
  const usage = {
    input_tokens: input,
    input_tokens_details: { cached_tokens: u.cached_tokens ?? 0 },
    output_tokens: out,
    output_tokens_details: { reasoning_tokens: reasoning },
    total_tokens: u.total_tokens ?? input + out,
  };
  let error: OpenAIErrorObject | null = null;
  if (b.failed) {
    const f = b.failed;
    status = 'failed';
    error =
      f.code === 'usage_limit_reached'
        ? { ...usageLimitError(ctx.planType ?? 'plus', f.resetsInSeconds ?? ctx.plan?.primaryResetAfterSeconds ?? 15858, ctx.now), ...f.extra }
        : { code: f.code, message: messageForCode(f.code, req.model), type: null, param: null, ...f.extra };
    if (f.message !== undefined) error.message = f.message;
  }
  return { id: ids.response(), createdAt: Math.floor(ctx.now / 1000), output, usage, status, error };
}

/** The Response object in a given state (in_progress: no output, no usage). */
export function responseObject(req: ResponsesRequest, built: ResponsesBuilt, state: 'in_progress' | 'final'): Record<string, unknown> {
  const final = state === 'final';
  const status = final ? built.status : 'in_progress';
  return {
    id: built.id,
    object: 'response',
    created_at: built.createdAt,
    status,
    background: false,
    error: final ? built.error : null,
    incomplete_details: final && status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    instructions: req.instructions ?? null,
    max_output_tokens: req.max_output_tokens ?? null,
    max_tool_calls: null,
    model: req.model,
    output: final && status !== 'failed' ? built.output : [],
    parallel_tool_calls: req.parallel_tool_calls ?? true,
    previous_response_id: req.previous_response_id ?? null,
    prompt_cache_key: req.prompt_cache_key ?? null,
    reasoning: { effort: req.reasoning?.effort ?? null, summary: req.reasoning?.summary ?? null },
    safety_identifier: null,
    service_tier: 'default',
    store: req.store ?? true,
    temperature: req.temperature ?? 1,
    text: { format: { type: 'text' }, verbosity: 'medium', ...req.text },
    tool_choice: req.tool_choice ?? 'auto',
    tools: req.tools ?? [],
    top_logprobs: 0,
    top_p: req.top_p ?? 1,
    truncation: 'disabled',
    usage: final && status !== 'failed' ? built.usage : null,
    user: null,
    metadata: req.metadata ?? {},
  };
}

const ev = (type: string, fields: Record<string, unknown>): WireEvent => ({ event: type, data: { type, ...fields } });

function itemEvents(item: Item, i: number): WireEvent[] {
  const at = { item_id: item.id, output_index: i };
  const out: WireEvent[] = [];
  if (item.type === 'message') {
    const text = item.content[0].text as string;
    out.push(ev('response.output_item.added', { output_index: i, item: { ...item, status: 'in_progress', content: [] } }));
    out.push(ev('response.content_part.added', { ...at, content_index: 0, part: { type: 'output_text', text: '', annotations: [], logprobs: [] } }));
    for (const d of splitText(text)) out.push(ev('response.output_text.delta', { ...at, content_index: 0, delta: d, logprobs: [] }));
    out.push(ev('response.output_text.done', { ...at, content_index: 0, text, logprobs: [] }));
    out.push(ev('response.content_part.done', { ...at, content_index: 0, part: item.content[0] }));
  } else if (item.type === 'function_call') {
    out.push(ev('response.output_item.added', { output_index: i, item: { ...item, arguments: '', status: 'in_progress' } }));
    for (const d of splitArguments(item.arguments)) out.push(ev('response.function_call_arguments.delta', { ...at, delta: d }));
    out.push(ev('response.function_call_arguments.done', { ...at, name: item.name, arguments: item.arguments }));
  } else if (item.type === 'reasoning') {
    const { encrypted_content: _hidden, ...shell } = item;
    out.push(ev('response.output_item.added', { output_index: i, item: { ...shell, summary: [] } }));
    item.summary.forEach((part: { text: string }, s: number) => {
      out.push(ev('response.reasoning_summary_part.added', { ...at, summary_index: s, part: { type: 'summary_text', text: '' } }));
      for (const d of splitText(part.text)) out.push(ev('response.reasoning_summary_text.delta', { ...at, summary_index: s, delta: d }));
      out.push(ev('response.reasoning_summary_text.done', { ...at, summary_index: s, text: part.text }));
      out.push(ev('response.reasoning_summary_part.done', { ...at, summary_index: s, part }));
    });
  }
  out.push(ev('response.output_item.done', { output_index: i, item }));
  return out;
}

/** The event sequence (with sequence_number), cut and terminated per the behaviour's knobs. */
export function responsesEvents(req: ResponsesRequest, b: ResponsesReplyBehaviour, built: ResponsesBuilt): { events: WireEvent[]; terminal: Terminal } {
  const inProgress = responseObject(req, built, 'in_progress');
  let events: WireEvent[] = [
    ev('response.created', { response: inProgress }),
    ev('response.in_progress', { response: inProgress }),
    ...built.output.flatMap((item, i) => itemEvents(item, i)),
  ];
  const final = responseObject(req, built, 'final');
  let terminal: Terminal = 'end';
  if (b.failed) {
    events = [...events.slice(0, b.failed.afterEvents ?? 2), ev('response.failed', { response: final })];
  } else if (b.errorEvent) {
    const e = b.errorEvent;
    const error = { code: e.code ?? 'server_error', message: e.message ?? messageForCode(e.code ?? 'server_error', req.model), param: e.param ?? null };
    events = [...events.slice(0, e.afterEvents ?? 2), ev('error', error)];
  } else if (!b.omitCompleted) {
    events.push(ev(built.status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response: final }));
  }
  const drop = b.stream?.dropAfterEvents;
  if (drop !== undefined) {
    events = events.slice(0, drop);
    terminal = 'destroy';
  }
  events.forEach((e, n) => {
    e.data.sequence_number = n;
    if (b.noEventLines) e.event = '';
  });
  if (b.doneSentinel && terminal === 'end') events.push({ event: '', data: {}, raw: '[DONE]' });
  return { events, terminal };
}
