// Per-request context and the response primitives shared by all endpoints: JSON, errors, hang, drop.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import type { BehaviourQueue, ErrorBehaviour, UnifiedPreset } from './behaviours.js';
import { defaultErrorMessage, errorBody, errorTypeForStatus, retryHeaders } from './errors.js';
import { apiKeyRateLimitHeaders, baseHeaders, type Credential, unifiedHeaders, unifiedRetryAfter } from './headers.js';
import type { RecordedRequest } from './recorder.js';
import type { FakeOAuth } from './oauth.js';
import type { FakeOpenAIOAuth } from './openai-oauth.js';

/** Mutable settings shared by all requests of one fake. */
export interface FakeState {
  apiKeys: string[] | null;
  strictValidation: boolean;
  queue: BehaviourQueue;
  /** The OAuth personality (token, usage and profile endpoints; the bearer tokens it issued). */
  oauth?: FakeOAuth;
  /** The ChatGPT OAuth personality (OpenAI token endpoint, Codex backend credentials, wham usage). */
  openaiOAuth?: FakeOpenAIOAuth;
}

/** Everything a handler needs for one request. */
export interface RequestContext {
  state: FakeState;
  req: IncomingMessage;
  res: ServerResponse;
  recorded: RecordedRequest;
  requestId: string;
  now: number;
  /** Set once authentication succeeded. */
  credential?: Credential;
  /** Aborts when the response closes (finished, client gone, or fake closing). */
  signal: AbortSignal;
  /** Ends the connection on purpose (not counted as a client abort). `reset` sends a TCP RST. */
  destroy(reset?: boolean): void;
}

/** Response headers of 1.8: ids, edge headers, API-key limits (x-api-key requests), unified family, extras. */
export function responseHeaders(
  ctx: RequestContext,
  opts: { unified?: UnifiedPreset; rejectedForSeconds?: number; extra?: Record<string, string> } = {},
): Record<string, string> {
  const h = baseHeaders(ctx.requestId, ctx.credential);
  if (ctx.credential?.kind === 'api_key') Object.assign(h, apiKeyRateLimitHeaders(ctx.now, opts.rejectedForSeconds));
  if (opts.unified) Object.assign(h, unifiedHeaders(opts.unified, ctx.now));
  for (const [k, v] of Object.entries(opts.extra ?? {})) h[k.toLowerCase()] = v;
  return h;
}

/** Sends a JSON body; gzip-encodes it when asked and the request accepts gzip. */
export function sendJson(ctx: RequestContext, status: number, body: unknown, headers: Record<string, string>, gzip = false): void {
  let bytes = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
  const h: Record<string, string> = { 'content-type': 'application/json', ...headers };
  if (gzip && /\bgzip\b/.test(ctx.recorded.headers['accept-encoding'] ?? '')) {
    bytes = gzipSync(bytes);
    h['content-encoding'] = 'gzip';
  }
  h['content-length'] = String(bytes.length);
  ctx.res.writeHead(status, h);
  ctx.res.end(bytes);
}

/** An Anthropic error response (1.6) with the retry headers of 429/529. */
export function sendError(ctx: RequestContext, b: ErrorBehaviour): void {
  const type = b.type ?? errorTypeForStatus(b.status);
  const retry = retryHeaders(b.status, {
    retryAfter: b.retryAfter,
    shouldRetry: b.shouldRetry,
    fallbackRetryAfter: unifiedRetryAfter(b.unified, ctx.now),
  });
  const rejectedForSeconds = b.status === 429 ? Number(retry['retry-after']) : undefined;
  const headers = responseHeaders(ctx, { unified: b.unified, rejectedForSeconds, extra: { ...retry, ...b.headers } });
  sendJson(ctx, b.status, errorBody(type, b.message ?? defaultErrorMessage(type), ctx.requestId), headers);
}

/** Shorthand for the fake's own protocol errors (auth, validation, routing). */
export function sendProtocolError(ctx: RequestContext, status: number, message: string): void {
  sendError(ctx, { kind: 'error', status, message });
}

/** Never answers; with `afterHeaders`, sends the 200 head first. The response stays open until the client or close() ends it. */
export function hang(ctx: RequestContext, afterHeaders: boolean, stream: boolean): void {
  if (!afterHeaders) return;
  const type = stream ? 'text/event-stream; charset=utf-8' : 'application/json';
  ctx.res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache', ...responseHeaders(ctx) });
  ctx.res.flushHeaders();
}

/** Waits `ms` unless the response closes first; returns false when it did. */
export async function delay(ctx: RequestContext, ms: number | undefined): Promise<boolean> {
  if (!ms) return !ctx.signal.aborted;
  try {
    await sleep(ms, undefined, { signal: ctx.signal });
    return true;
  } catch {
    return false;
  }
}
