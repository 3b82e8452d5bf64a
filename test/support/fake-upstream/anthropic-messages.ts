// Routing and handlers of the Anthropic personality: messages, count_tokens, models, event logging.
import type { Behaviour, Endpoint, ReplyBehaviour } from './behaviours.js';
import { buildMessage, type MessagesRequest } from './message-builder.js';
import { findModel, listModels } from './models.js';
import { authenticate, validateBody } from './request-checks.js';
import { delay, hang, type RequestContext, responseHeaders, sendError, sendJson, sendProtocolError } from './respond.js';
import { planSse, writeSse } from './sse-writer.js';
import { applyStreamKnobs, messageEvents } from './stream-events.js';
import { countInputTokens } from './tokens.js';

/** Body size limit of Messages / count_tokens (answered by the edge with 413). */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

const BAD_JSON = 'There was an error parsing the body of your request. Please check that it is valid JSON.';

function endpointOf(method: string, path: string): Extract<Endpoint, 'messages' | 'count_tokens' | 'models'> | undefined {
  if (method === 'POST' && path === '/v1/messages') return 'messages';
  if (method === 'POST' && path === '/v1/messages/count_tokens') return 'count_tokens';
  if (method === 'GET' && (path === '/v1/models' || path.startsWith('/v1/models/'))) return 'models';
  return undefined;
}

/** Dispatches one fully received request. Only valid, authenticated requests consume a behaviour. */
export async function route(ctx: RequestContext): Promise<void> {
  const { method, path, headers, body, json } = ctx.recorded;
  if (ctx.state.oauth && (await ctx.state.oauth.handle(ctx))) return;
  if (method === 'POST' && path === '/api/event_logging/batch') {
    return sendJson(ctx, 200, { success: true }, responseHeaders(ctx));
  }
  const endpoint = endpointOf(method, path);
  if (!endpoint) return sendProtocolError(ctx, 404, `Not Found: ${method} ${path}`);
  if (body.length > MAX_BODY_BYTES) return sendProtocolError(ctx, 413, 'Request exceeds the maximum allowed number of bytes.');

  const auth = ctx.state.oauth?.authenticate(headers, ctx.now) ?? authenticate(headers, ctx.state.apiKeys);
  if (!auth.ok) return sendProtocolError(ctx, 401, auth.message);
  ctx.credential = auth.credential;
  if (!headers['anthropic-version']) return sendProtocolError(ctx, 400, 'anthropic-version: header is required');

  if (endpoint !== 'models') {
    if (json === undefined) {
      return sendProtocolError(ctx, 400, BAD_JSON);
    }
    const problem = validateBody(json, endpoint, ctx.state.strictValidation);
    if (problem) return sendProtocolError(ctx, 400, problem);
  }

  const behaviour = ctx.state.queue.take(endpoint, ctx.credential.value);
  const stream = endpoint === 'messages' && json?.stream === true;
  if (behaviour && behaviour.kind !== 'reply') return misbehave(ctx, behaviour, stream);
  const reply: ReplyBehaviour = behaviour ?? { kind: 'reply' };
  if (!(await delay(ctx, reply.headersDelayMs))) return;
  if (endpoint === 'models') return handleModels(ctx, reply);
  if (endpoint === 'count_tokens') return handleCountTokens(ctx, reply);
  return stream ? replyStream(ctx, reply) : replyJson(ctx, reply);
}

async function misbehave(ctx: RequestContext, b: Exclude<Behaviour, ReplyBehaviour>, stream: boolean): Promise<void> {
  switch (b.kind) {
    case 'error':
      if (await delay(ctx, b.headersDelayMs)) sendError(ctx, b);
      return;
    case 'hang':
      return hang(ctx, b.afterHeaders === true, stream);
    case 'drop':
      return ctx.destroy(true);
    default:
      // Another personality's reply (chat, Gemini, Responses) queued on the Messages route: a test mistake.
      throw new Error(`the Messages personality cannot give a ${b.kind}`);
  }
}

function replyJson(ctx: RequestContext, b: ReplyBehaviour): void {
  const message = buildMessage(ctx.recorded.json as MessagesRequest, b);
  sendJson(ctx, 200, message, responseHeaders(ctx, { unified: b.unified, extra: b.headers }), b.gzip);
}

async function replyStream(ctx: RequestContext, b: ReplyBehaviour): Promise<void> {
  const knobs = b.stream ?? {};
  const message = buildMessage(ctx.recorded.json as MessagesRequest, b);
  const { events, terminal } = applyStreamKnobs(messageEvents(message, b), knobs, ctx.requestId);
  const gzip = b.gzip === true && /\bgzip\b/.test(ctx.recorded.headers['accept-encoding'] ?? '');
  const plan = await planSse(events, terminal, knobs, gzip);
  const headers: Record<string, string> = {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    ...responseHeaders(ctx, { unified: b.unified, extra: b.headers }),
  };
  if (gzip) headers['content-encoding'] = 'gzip';
  ctx.res.writeHead(200, headers);
  ctx.res.flushHeaders();
  await writeSse(ctx.res, plan, knobs, ctx.signal, () => ctx.destroy());
}

function handleCountTokens(ctx: RequestContext, b: ReplyBehaviour): void {
  const input_tokens = b.usage?.input_tokens ?? countInputTokens(ctx.recorded.json as MessagesRequest);
  sendJson(ctx, 200, { input_tokens }, responseHeaders(ctx, { unified: b.unified, extra: b.headers }), b.gzip);
}

function handleModels(ctx: RequestContext, b: ReplyBehaviour): void {
  const headers = responseHeaders(ctx, { unified: b.unified, extra: b.headers });
  const { path, query } = ctx.recorded;
  if (path !== '/v1/models') {
    const id = decodeURIComponent(path.slice('/v1/models/'.length));
    const model = findModel(id);
    if (!model) return sendProtocolError(ctx, 404, `model: ${id}`);
    return sendJson(ctx, 200, model, headers, b.gzip);
  }
  const page = listModels(query);
  if ('error' in page) return sendProtocolError(ctx, 400, page.error);
  sendJson(ctx, 200, page, headers, b.gzip);
}
