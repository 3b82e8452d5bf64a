// The Gemini personality (PROTOCOLS 5, 7): the Developer API (`/v1beta|/v1/models/{model}:generateContent|
// streamGenerateContent|countTokens`, `GET /v1beta/models[/{model}]`, `x-goog-api-key` or `?key=` with Google's 400
// API_KEY_INVALID), the Code Assist backend (`/v1internal:*`) and Google's token endpoint (`POST /token`). Faults
// come from the shared behaviour queue (endpoints `gemini_generate`, `gemini_count_tokens`, `code_assist_setup`).
import { countGeminiPrompt, validateGemini } from './gemini-build.js';
import { routeCodeAssist, DEFAULT_CODE_ASSIST_USER, type CodeAssistUser } from './gemini-code-assist.js';
import { sendGoogleError } from './gemini-errors.js';
import { FakeGoogleOAuth } from './gemini-oauth.js';
import { answerCountTokens, answerGemini, geminiHeaders } from './gemini-reply.js';
import { type RequestContext, sendJson } from './respond.js';

declare module './respond.js' {
  interface FakeState {
    /** The Gemini personality's settings (see {@link FakeGemini}). */
    gemini?: FakeGemini;
  }
}

/** Model ids of `GET /v1beta/models`. Any model name is accepted by the other endpoints. */
export const GEMINI_MODELS: readonly string[] = ['gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.5-flash-lite', 'gemini-3-pro-preview'];

/** Settings and state of the Gemini personality; not cleared by `fake.reset()` (use `fake.gemini.reset()`). */
export class FakeGemini {
  /** Accepted Gemini API keys; null (default) = any key starting with `AIza`. */
  apiKeys: string[] | null = null;
  /** Gemini 3 behaviour: a replayed functionCall part without its thoughtSignature is a 400 (gemini-3* models). */
  requireThoughtSignatures = false;
  /** Google OAuth: `POST /token` and the access tokens Code Assist accepts. */
  readonly oauth = new FakeGoogleOAuth();
  /** The signed-in user's Code Assist state (project, tier, onboarding). */
  codeAssist: CodeAssistUser = { ...DEFAULT_CODE_ASSIST_USER };
  /** loadCodeAssist / onboardUser calls received. */
  readonly calls = { loadCodeAssist: 0, onboardUser: 0 };

  reset(): void {
    this.apiKeys = null;
    this.requireThoughtSignatures = false;
    this.oauth.reset();
    this.codeAssist = { ...DEFAULT_CODE_ASSIST_USER };
    this.calls.loadCodeAssist = 0;
    this.calls.onboardUser = 0;
  }

  isApiKey(key: string): boolean {
    return this.apiKeys ? this.apiKeys.includes(key) : key.startsWith('AIza');
  }
}

const API_PATH = /^\/(v1beta|v1)\/models(?:\/([^/]+))?$/;
const JSON_HEADERS = { 'content-type': 'application/json; charset=UTF-8' };
const modelInfo = (id: string) => ({
  name: `models/${id}`,
  version: '001',
  displayName: id,
  inputTokenLimit: 1_048_576,
  outputTokenLimit: 65_536,
  supportedGenerationMethods: ['generateContent', 'countTokens', 'createCachedContent', 'batchGenerateContent'],
  temperature: 1,
  maxTemperature: 2,
  topP: 0.95,
  topK: 64,
  thinking: true,
});

/** Answers the request when it belongs to the Gemini personality; false leaves it to the other routers. */
export async function routeGemini(ctx: RequestContext): Promise<boolean> {
  const g = ctx.state.gemini;
  if (!g) return false;
  if (await g.oauth.handle(ctx)) return true;
  if (await routeCodeAssist(ctx, { oauth: g.oauth, user: g.codeAssist, calls: g.calls, requireThoughtSignatures: g.requireThoughtSignatures })) return true;
  const m = API_PATH.exec(ctx.recorded.path);
  if (!m) return false;
  const { method, headers, query } = ctx.recorded;
  // /v1/models is also Anthropic's and OpenAI's: it is Gemini's only with a Gemini key or a `{model}:{method}`.
  if (m[1] === 'v1' && headers['x-goog-api-key'] === undefined && query.key === undefined && !m[2]?.includes(':')) return false;
  const key = headers['x-goog-api-key'] ?? query.key;
  if (key === undefined) {
    sendGoogleError(ctx, {
      code: 403,
      message:
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
      reason: 'CONSUMER_INVALID',
    });
    return true;
  }
  if (!g.isApiKey(key)) {
    sendGoogleError(ctx, { code: 400, reason: 'API_KEY_INVALID' });
    return true;
  }
  ctx.credential = { kind: 'api_key', value: key };
  const target = m[2] ? decodeURIComponent(m[2]) : undefined;
  if (method === 'GET') {
    if (target === undefined) sendJson(ctx, 200, { models: GEMINI_MODELS.map(modelInfo) }, { ...JSON_HEADERS, ...geminiHeaders() });
    else if (GEMINI_MODELS.includes(target)) sendJson(ctx, 200, modelInfo(target), JSON_HEADERS);
    else sendGoogleError(ctx, { code: 404, message: `models/${target} is not found for API version ${m[1]}, or is not supported for listModels.` });
    return true;
  }
  const call = /^([^:]+):(generateContent|streamGenerateContent|countTokens)$/.exec(target ?? '');
  if (method !== 'POST' || !call) {
    sendGoogleError(ctx, { code: 404, message: `Not Found: ${method} ${ctx.recorded.path}` });
    return true;
  }
  const [, model, action] = call;
  const body = ctx.recorded.json;
  if (body === undefined) {
    sendGoogleError(ctx, { code: 400, message: 'Invalid JSON payload received. Unexpected token.' });
    return true;
  }
  if (action === 'countTokens') {
    const inner = body?.generateContentRequest ?? body;
    const problem = validateGemini(body.generateContentRequest ? { contents: inner.contents } : body, { model });
    if (problem) sendGoogleError(ctx, { code: 400, message: problem });
    else answerCountTokens(ctx, countGeminiPrompt(inner), ctx.state.queue.take('gemini_count_tokens', key), false);
    return true;
  }
  const problem = validateGemini(body, { model, requireSignatures: g.requireThoughtSignatures && /^gemini-3/.test(model) });
  if (problem) {
    sendGoogleError(ctx, { code: 400, message: problem });
    return true;
  }
  const stream = action === 'streamGenerateContent';
  await answerGemini(ctx, { req: body, model, stream, sse: query.alt === 'sse', codeAssist: false }, ctx.state.queue.take('gemini_generate', key));
  return true;
}
