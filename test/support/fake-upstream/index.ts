// A faithful fake of the Anthropic API (and of OpenAI's: Chat Completions, Responses, the ChatGPT Codex backend and
// its OAuth) on 127.0.0.1:<random port> for integration tests.
// Independent of src/ on purpose, so relay bugs are not mirrored by the fake.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_BODY_BYTES, route } from './anthropic-messages.js';
import { type Behaviour, BehaviourQueue, type EnqueueOptions } from './behaviours.js';
import { requestId } from './ids.js';
import { type RecordedRequest, recordRequest } from './recorder.js';
import { type FakeState, type RequestContext, sendProtocolError } from './respond.js';
import { ResponseTracker } from './tracker.js';
import { FakeOAuth } from './oauth.js';
import { FakeOpenAIOAuth } from './openai-oauth.js';
import { routeOpenAI } from './openai-router.js';
import { FakeGemini, routeGemini } from './gemini-router.js';

export type * from './behaviours.js';
export type { RecordedRequest } from './recorder.js';
export { countInputTokens, countOutputTokens, countWords } from './tokens.js';
export { errorTypeForStatus } from './errors.js';
export { MODELS } from './models.js';
export { CLAUDE_CLIENT_ID, FakeOAuth, type TokenFailure } from './oauth.js';
export { defaultReplyText, chooseTool } from './message-builder.js';
export type * from './openai-behaviours.js';
export { DEFAULT_PLAN_USAGE } from './openai-behaviours.js';
export { countChatPromptTokens, countResponsesInputTokens, type OpenAIErrorObject } from './openai-common.js';
export { CODEX_CLIENT_ID, CODEX_REDIRECT_URI, decodeJwtPayload, FakeOpenAIOAuth, type IssueCodeOptions, type OpenAIAccountIdentity } from './openai-oauth.js';
export { isOpenAIKey, OPENAI_MODELS } from './openai-router.js';
export type * from './gemini-behaviours.js';
export { FakeGemini, GEMINI_MODELS } from './gemini-router.js';
export { FAKE_GEMINI_CLIENT_SECRET, GEMINI_CLIENT_ID, GEMINI_REDIRECT_URI } from './gemini-oauth.js';
export { DEFAULT_SIGNATURE as GEMINI_DEFAULT_SIGNATURE, countGeminiPrompt } from './gemini-build.js';
export { parseSse, type ParsedSse } from './sse-parse.js';

export interface FakeUpstreamOptions {
  /** Accepted credentials (x-api-key values and OAuth bearer tokens); see {@link FakeUpstream.setApiKeys}. */
  apiKeys?: string[];
  /** Enforce the cross-field rules of PROTOCOLS 1.2 (thinking budget, empty text, > 4 cache_control). Default true. */
  strictValidation?: boolean;
}

export interface FakeUpstream {
  /** 'http://127.0.0.1:<port>' (API root, no /v1). */
  url: string;
  port: number;
  /** Every request received, in order (a live array; recorded before it is answered). */
  readonly requests: RecordedRequest[];
  clearRequests(): void;
  /**
   * Accepted credentials. `null` (default): any API key starting with 'sk-ant-' (not 'sk-ant-oat'), sent as
   * x-api-key or, like @anthropic-ai/sdk 1.x does, as `Authorization: Bearer`; and OAuth bearer tokens
   * starting with 'sk-ant-oat01-' (with the oauth beta); on the OpenAI endpoints (`/v1/chat/completions`,
   * `/v1/responses[/compact]`, OpenAI-style `GET /v1/models`) any `Authorization: Bearer sk-…` key that is not
   * `sk-ant-…`. A list applies to all kinds (the Codex backend only takes {@link openaiOAuth} access tokens).
   */
  setApiKeys(keys: string[] | null): void;
  /** One-shot behaviour, FIFO; see {@link EnqueueOptions} for key/endpoint filters and `times`. */
  enqueue(b: Behaviour, opts?: EnqueueOptions): void;
  /** Behaviour when the queue has nothing for the request (globally, or per apiKey which wins). */
  setDefault(b: Behaviour, opts?: Omit<EnqueueOptions, 'times'>): void;
  /** Queue entries not consumed yet (counting `times`). */
  pendingBehaviours(): number;
  /** Clears queue, defaults, recorder and the `aborted` count; restores the constructor's api-key list. */
  reset(): void;
  /** Responses currently open (started and not finished or closed). */
  openResponses(): number;
  /** Responses the client closed before they were finished. */
  readonly aborted: number;
  /** Resolves once `aborted >= count` (default: one more than now); rejects after `timeoutMs`. */
  waitForAborted(count?: number, timeoutMs?: number): Promise<void>;
  /** Resolves once no response is open. */
  waitForIdle(timeoutMs?: number): Promise<void>;
  /** Resolves once at least `count` requests were recorded. */
  waitForRequests(count: number, timeoutMs?: number): Promise<void>;
  /**
   * Subscription OAuth: the token endpoint (`POST /v1/oauth/token`), `GET /api/oauth/usage` and `/profile`, and the
   * bearer tokens it issues (accepted by Messages until they expire). Not cleared by {@link reset}: use `oauth.reset()`.
   */
  readonly oauth: FakeOAuth;
  /**
   * ChatGPT (Codex) OAuth: `POST /oauth/token` (form or JSON; authorization_code with PKCE, refresh_token with
   * rotation), `GET /backend-api/wham/usage`, the access tokens the Codex backend (`POST /backend-api/codex/responses`)
   * requires together with `chatgpt-account-id`, and the plan usage of the `x-codex-*` headers. Issue a code with
   * `openaiOAuth.issueCode({ codeVerifier, accountId, email, plan })` or `openaiOAuth.authorize(authUrl)`.
   * Not cleared by {@link reset}: use `openaiOAuth.reset()`.
   */
  readonly openaiOAuth: FakeOpenAIOAuth;
  /**
   * Gemini: API keys (`AIza…` by default), Google OAuth (`POST /token`, the `ya29.` tokens Code Assist takes), the
   * Code Assist user (project, tier, onboarding), the thought-signature rule. Not cleared by {@link reset}: use
   * `gemini.reset()`.
   */
  readonly gemini: FakeGemini;
  /** Stops the server, destroying hanging and keep-alive connections. Idempotent. */
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      // Past the limit only "too large" matters (413): keep the chunk that crosses it, drop the rest.
      if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
  } catch {
    return undefined; // client went away mid-body
  }
  return Buffer.concat(chunks);
}

/** Receives one request: tracks its response, records it, then lets the router answer. */
async function handle(state: FakeState, tracker: ResponseTracker, requests: RecordedRequest[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { signal, markIntentional } = tracker.track(res);
  const body = await readBody(req);
  if (body === undefined || signal.aborted) return;
  const recorded = recordRequest(req, body);
  requests.push(recorded);
  tracker.changed();
  const ctx: RequestContext = {
    state,
    req,
    res,
    recorded,
    requestId: requestId(),
    now: Date.now(),
    signal,
    destroy(reset = false): void {
      markIntentional();
      if (reset && typeof req.socket.resetAndDestroy === 'function') req.socket.resetAndDestroy();
      else req.socket.destroy();
    },
  };
  try {
    if (!(await routeGemini(ctx)) && !(await routeOpenAI(ctx))) await route(ctx);
  } catch (err) {
    // A bug in the fake: make it loud rather than letting a relay test pass or fail mysteriously.
    console.error('fake-upstream: handler failed', err);
    if (!res.headersSent) sendProtocolError(ctx, 500, `fake-upstream bug: ${String(err)}`);
    else ctx.destroy();
  }
}

export async function createFakeUpstream(opts: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const initialKeys = opts.apiKeys ? [...opts.apiKeys] : null;
  const state: FakeState = {
    apiKeys: initialKeys,
    strictValidation: opts.strictValidation ?? true,
    queue: new BehaviourQueue(),
    oauth: new FakeOAuth(),
    openaiOAuth: new FakeOpenAIOAuth(),
    gemini: new FakeGemini(),
  };
  const requests: RecordedRequest[] = [];
  const tracker = new ResponseTracker();
  let closing: Promise<void> | undefined;

  const server = createServer((req, res) => void handle(state, tracker, requests, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    oauth: state.oauth!,
    openaiOAuth: state.openaiOAuth!,
    gemini: state.gemini!,
    clearRequests: () => void requests.splice(0),
    setApiKeys: (keys) => void (state.apiKeys = keys ? [...keys] : null),
    enqueue: (b, o) => state.queue.enqueue(b, o),
    setDefault: (b, o) => state.queue.setDefault(b, o),
    pendingBehaviours: () => state.queue.pending(),
    reset() {
      state.queue.clear();
      requests.splice(0);
      tracker.aborted = 0;
      state.apiKeys = initialKeys ? [...initialKeys] : null;
    },
    openResponses: () => tracker.openCount(),
    get aborted() {
      return tracker.aborted;
    },
    waitForAborted(count = tracker.aborted + 1, timeoutMs = 2000) {
      return tracker.waitUntil(() => tracker.aborted >= count, timeoutMs, `${count} aborted response(s)`);
    },
    waitForIdle(timeoutMs = 2000) {
      return tracker.waitUntil(() => tracker.openCount() === 0, timeoutMs, 'no open responses');
    },
    waitForRequests(count, timeoutMs = 2000) {
      return tracker.waitUntil(() => requests.length >= count, timeoutMs, `${count} request(s)`);
    },
    close() {
      tracker.closing = true;
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
