// Routing of the OpenAI personality: api.openai.com endpoints (API keys), the ChatGPT Codex backend (OAuth access
// tokens + chatgpt-account-id), the OAuth token endpoint, WebSocket-upgrade refusal; faults from the shared queue.
import type { Behaviour, Endpoint, ErrorBehaviour } from './behaviours.js';
import type { ChatReplyBehaviour, CodexPlanUsage, ResponsesReplyBehaviour } from './openai-behaviours.js';
import { buildChat, type ChatRequest, chatCompletionJson, chatEvents, validateChat } from './openai-chat.js';
import { codexHeaders, errorObjectFor, ids, type OpenAIErrorObject, openaiHeaders, sendOpenAIError, usageLimitError } from './openai-common.js';
import type { OpenAIAccountIdentity } from './openai-oauth.js';
import { buildResponse, type ResponsesRequest, responseObject, responsesEvents, validateResponses } from './openai-responses.js';
import { delay, type RequestContext, sendJson } from './respond.js';
import { planSse, writeSse } from './sse-writer.js';
import type { Terminal, WireEvent } from './stream-events.js';

/** Model ids of `GET /v1/models` (OpenAI shape). Any model name is accepted by the other endpoints. */
export const OPENAI_MODELS: readonly string[] = ['gpt-5.5', 'gpt-5.5-mini', 'gpt-5-codex', 'gpt-4.1', 'gpt-4.1-mini', 'o4-mini'];

const RESPONSES_PATHS = ['/v1/responses', '/v1/responses/compact'];
const CODEX_PATHS = ['/backend-api/codex/responses', '/backend-api/codex/responses/compact'];

/** Accepted OpenAI API keys: the configured list, else any `sk-` key that is not an Anthropic one (`sk-ant-`). */
export const isOpenAIKey = (key: string, apiKeys: readonly string[] | null): boolean =>
  apiKeys ? apiKeys.includes(key) : key.startsWith('sk-') && !key.startsWith('sk-ant-');

function endpointOf(method: string, path: string, headers: Record<string, string>): Endpoint | undefined {
  if (method === 'POST' && path === '/v1/chat/completions') return 'chat_completions';
  if (method === 'POST' && RESPONSES_PATHS.includes(path)) return 'responses';
  if (method === 'POST' && CODEX_PATHS.includes(path)) return 'codex_responses';
  // /v1/models is shared with the Anthropic personality: OpenAI clients send neither of these headers.
  if (method === 'GET' && path === '/v1/models' && !headers['anthropic-version'] && !headers['x-api-key']) return 'openai_models';
  return undefined;
}

/** Per-request facts the answer helpers need. */
interface OpenAICall {
  endpoint: Endpoint;
  /** Codex backend: the signed-in account. */
  who?: OpenAIAccountIdentity;
  headers(extra?: Record<string, string>, opts?: { rateLimitedFor?: number; usage?: Partial<CodexPlanUsage> }): Record<string, string>;
}

/** Answers the request when it belongs to the OpenAI personality; false leaves it to the Anthropic router. */
export async function routeOpenAI(ctx: RequestContext): Promise<boolean> {
  const { method, path, headers, json } = ctx.recorded;
  const oauth = ctx.state.openaiOAuth;
  if (oauth && (await oauth.handle(ctx))) return true;
  if (method === 'GET' && (RESPONSES_PATHS.includes(path) || CODEX_PATHS.includes(path))) {
    ctx.requestId = ids.request();
    const ws = /\bwebsocket\b/i.test(headers['upgrade'] ?? '');
    const error = {
      message: ws ? 'WebSocket connections are not supported on this endpoint; use HTTP POST.' : `Method ${method} not allowed.`,
      type: 'invalid_request_error',
      param: null,
      code: null,
    };
    sendOpenAIError(ctx, ws ? 426 : 405, error, { 'x-request-id': ctx.requestId, ...(ws ? { connection: 'close' } : {}) });
    return true;
  }
  const endpoint = endpointOf(method, path, headers);
  if (!endpoint) return false;
  ctx.requestId = ids.request();

  let call: OpenAICall;
  let credentials: string[];
  if (endpoint === 'codex_responses') {
    if (!oauth) throw new Error('fake-upstream: the Codex backend needs the OpenAI OAuth personality');
    const auth = oauth.authenticate(headers, ctx.now);
    if (!auth.ok) {
      sendJson(ctx, auth.status, auth.body, codexHeaders(oauth.planUsage, ctx.now));
      return true;
    }
    ctx.credential = { kind: 'oauth', value: auth.accessToken };
    credentials = [auth.accessToken, auth.who.accountId];
    call = {
      endpoint,
      who: auth.who,
      headers: (extra = {}, o = {}) => ({ ...codexHeaders({ ...oauth.planUsage, ...o.usage }, ctx.now), ...lower(extra) }),
    };
  } else {
    const bearer = /^Bearer\s+(.+)$/i.exec(headers['authorization'] ?? '')?.[1]?.trim();
    const plain = { 'x-request-id': ctx.requestId };
    if (bearer === undefined) {
      const message =
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
      sendOpenAIError(ctx, 401, { message, type: 'invalid_request_error', param: null, code: null }, plain);
      return true;
    }
    if (!isOpenAIKey(bearer, ctx.state.apiKeys)) {
      const shown = bearer.length > 8 ? `${bearer.slice(0, 3)}*****${bearer.slice(-4)}` : bearer;
      const message = `Incorrect API key provided: ${shown}. You can find your API key at https://platform.openai.com/account/api-keys.`;
      sendOpenAIError(ctx, 401, { message, type: 'invalid_request_error', param: null, code: 'invalid_api_key' }, plain);
      return true;
    }
    ctx.credential = { kind: 'api_key', value: bearer };
    credentials = [bearer];
    call = { endpoint, headers: (extra = {}, o = {}) => ({ ...openaiHeaders(ctx, o.rateLimitedFor), ...lower(extra) }) };
  }

  if (endpoint !== 'openai_models') {
    if (json === undefined) {
      const message =
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)";
      sendOpenAIError(ctx, 400, { message, type: 'invalid_request_error', param: null, code: null }, call.headers());
      return true;
    }
    const problem = endpoint === 'chat_completions' ? validateChat(json) : validateResponses(json);
    if (problem) {
      sendOpenAIError(ctx, 400, problem, call.headers());
      return true;
    }
    if (endpoint === 'codex_responses' && oauth?.strictCodexBody) {
      const detail = json.stream !== true ? 'Stream must be set to true' : json.store !== false ? 'Store must be set to false' : null;
      if (detail) {
        sendJson(ctx, 400, { detail }, call.headers());
        return true;
      }
    }
  }

  const behaviour = ctx.state.queue.take(endpoint, credentials);
  const stream = json?.stream === true;
  if (behaviour && behaviour.kind !== 'chat_reply' && behaviour.kind !== 'responses_reply') {
    await misbehave(ctx, call, behaviour, stream);
    return true;
  }
  if (endpoint === 'chat_completions') {
    const b = (behaviour as ChatReplyBehaviour | undefined) ?? { kind: 'chat_reply' };
    if (await delay(ctx, b.headersDelayMs)) await replyChat(ctx, call, b, stream);
  } else if (endpoint === 'openai_models') {
    const b = behaviour as ChatReplyBehaviour | undefined;
    if (!(await delay(ctx, b?.headersDelayMs))) return true;
    const data = OPENAI_MODELS.map((id, i) => ({ id, object: 'model', created: 1_760_000_000 - i * 86_400, owned_by: 'system' }));
    sendJson(ctx, 200, { object: 'list', data }, call.headers(b?.headers), b?.gzip);
  } else {
    const b = (behaviour as ResponsesReplyBehaviour | undefined) ?? { kind: 'responses_reply' };
    if (await delay(ctx, b.headersDelayMs)) await replyResponses(ctx, call, b, stream);
  }
  return true;
}

const lower = (h: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

async function misbehave(ctx: RequestContext, call: OpenAICall, b: Behaviour, stream: boolean): Promise<void> {
  switch (b.kind) {
    case 'error':
      if (await delay(ctx, b.headersDelayMs)) sendErrorBehaviour(ctx, call, b);
      return;
    case 'hang':
      if (b.afterHeaders) {
        const type = stream ? 'text/event-stream; charset=utf-8' : 'application/json';
        ctx.res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache', ...call.headers() });
        ctx.res.flushHeaders();
      }
      return;
    case 'drop':
      return ctx.destroy(true);
    default:
      throw new Error(`fake-upstream: behaviour ${b.kind} cannot answer ${call.endpoint}`);
  }
}

function sendErrorBehaviour(ctx: RequestContext, call: OpenAICall, b: ErrorBehaviour): void {
  const extra: Record<string, string> = {};
  if (b.retryAfter !== undefined) extra['retry-after'] = String(b.retryAfter);
  if (b.shouldRetry !== undefined) extra['x-should-retry'] = String(b.shouldRetry);
  Object.assign(extra, b.headers);
  const model = typeof ctx.recorded.json?.model === 'string' ? ctx.recorded.json.model : undefined;
  if (call.who && (b.type === 'usage_limit_reached' || b.code === 'usage_limit_reached')) {
    const plan = ctx.state.openaiOAuth!.planUsage;
    const error = usageLimitError(call.who.plan, b.resetsInSeconds ?? plan.primaryResetAfterSeconds, ctx.now);
    if (b.message !== undefined) error.message = b.message;
    const usage = { primaryUsedPercent: 100, primaryResetAfterSeconds: error.resets_in_seconds as number };
    sendJson(ctx, b.status, { error }, call.headers(extra, { usage }));
    return;
  }
  const error: OpenAIErrorObject = errorObjectFor(b, model);
  const rateLimitedFor = b.status === 429 && error.code === 'rate_limit_exceeded' ? (b.retryAfter ?? 1) : undefined;
  sendOpenAIError(ctx, b.status, error, call.headers(extra, { rateLimitedFor }));
}

async function sendStream(
  ctx: RequestContext,
  events: WireEvent[],
  terminal: Terminal,
  b: ChatReplyBehaviour | ResponsesReplyBehaviour,
  headers: Record<string, string>,
): Promise<void> {
  const knobs = b.stream ?? {};
  const gzip = b.gzip === true && /\bgzip\b/.test(ctx.recorded.headers['accept-encoding'] ?? '');
  const plan = await planSse(events, terminal, knobs, gzip);
  const h: Record<string, string> = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...headers };
  if (gzip) h['content-encoding'] = 'gzip';
  ctx.res.writeHead(200, h);
  ctx.res.flushHeaders();
  await writeSse(ctx.res, plan, knobs, ctx.signal, () => ctx.destroy());
}

async function replyChat(ctx: RequestContext, call: OpenAICall, b: ChatReplyBehaviour, stream: boolean): Promise<void> {
  const req = ctx.recorded.json as ChatRequest;
  const built = buildChat(req, b, ctx.now);
  if (!stream) return sendJson(ctx, 200, chatCompletionJson(req, built), call.headers(b.headers), b.gzip);
  const { events, terminal } = chatEvents(req, b, built);
  await sendStream(ctx, events, terminal, b, call.headers(b.headers));
}

async function replyResponses(ctx: RequestContext, call: OpenAICall, b: ResponsesReplyBehaviour, stream: boolean): Promise<void> {
  const req = ctx.recorded.json as ResponsesRequest;
  const plan = ctx.state.openaiOAuth?.planUsage;
  const built = buildResponse(req, b, { now: ctx.now, planType: call.who?.plan, plan });
  const headers = call.headers(b.headers, { usage: b.codexUsage });
  if (!stream) return sendJson(ctx, 200, responseObject(req, built, 'final'), headers, b.gzip);
  const { events, terminal } = responsesEvents(req, b, built);
  await sendStream(ctx, events, terminal, b, headers);
}
