// The Code Assist personality (Gemini CLI's Google login, PROTOCOLS 5.6, 3.4): `/v1internal:<method>` with a bearer
// from the fake's Google OAuth; generate/stream/countTokens in the `{model, project, request}` envelope, answers as
// `{response, traceId}`; loadCodeAssist and the onboardUser long-running operation; retrieveUserQuota.
import { countGeminiPrompt, validateGemini } from './gemini-build.js';
import { sendGoogleError, specFor } from './gemini-errors.js';
import type { FakeGoogleOAuth } from './gemini-oauth.js';
import { answerCountTokens, answerGemini, geminiHeaders } from './gemini-reply.js';
import { type RequestContext, sendJson } from './respond.js';

/** The signed-in user's Code Assist state. */
export interface CodeAssistUser {
  /** The project Code Assist serves the user under (what onboarding yields, and the only one generate accepts). */
  projectId: string;
  /** Tier offered / current ('free-tier', 'standard-tier', …). */
  tier: string;
  /** Already onboarded: loadCodeAssist names the project at once. */
  onboarded: boolean;
  /** onboardUser calls that answer `done: false` before one answers `done: true`. */
  pendingPolls: number;
  /** The tier needs the user's own Cloud project (no onboarding without one). */
  userDefinedProject: boolean;
}

export const DEFAULT_CODE_ASSIST_USER: Readonly<CodeAssistUser> = {
  projectId: 'fake-project-12345',
  tier: 'free-tier',
  onboarded: false,
  pendingPolls: 1,
  userDefinedProject: false,
};

export interface CodeAssistState {
  oauth: FakeGoogleOAuth;
  user: CodeAssistUser;
  calls: { loadCodeAssist: number; onboardUser: number };
  requireThoughtSignatures: boolean;
}

type Json = Record<string, any>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const JSON_HEADERS = { 'content-type': 'application/json; charset=UTF-8' };

function setup(ctx: RequestContext, s: CodeAssistState, method: string): void {
  const u = s.user;
  const tier = {
    id: u.tier,
    name: u.tier === 'free-tier' ? 'Gemini Code Assist for individuals' : 'Gemini Code Assist',
    userDefinedCloudaicompanionProject: u.userDefinedProject,
  };
  if (method === 'loadCodeAssist') {
    s.calls.loadCodeAssist++;
    if (u.onboarded)
      return sendJson(ctx, 200, { currentTier: tier, allowedTiers: [{ ...tier, isDefault: true }], cloudaicompanionProject: u.projectId }, JSON_HEADERS);
    if (u.userDefinedProject) return sendJson(ctx, 200, { currentTier: tier, allowedTiers: [{ ...tier, isDefault: true }] }, JSON_HEADERS);
    return sendJson(ctx, 200, { allowedTiers: [{ ...tier, isDefault: true }] }, JSON_HEADERS);
  }
  s.calls.onboardUser++;
  const body = (ctx.recorded.json ?? {}) as Json;
  if (body.tierId !== u.tier) return sendGoogleError(ctx, { code: 400, message: `Invalid tier ${String(body.tierId)}` });
  if (u.pendingPolls > 0) {
    u.pendingPolls--;
    return sendJson(ctx, 200, { name: 'operations/onboard-fake-1', done: false }, JSON_HEADERS);
  }
  u.onboarded = true;
  sendJson(
    ctx,
    200,
    {
      name: 'operations/onboard-fake-1',
      done: true,
      response: {
        '@type': 'type.googleapis.com/google.internal.cloud.code.v1internal.OnboardUserResponse',
        cloudaicompanionProject: { id: u.projectId, name: 'Fake Project' },
      },
    },
    JSON_HEADERS,
  );
}

/** Answers `/v1internal:<method>` requests; false for any other path. */
export async function routeCodeAssist(ctx: RequestContext, s: CodeAssistState): Promise<boolean> {
  const m = /^\/v1internal:([A-Za-z]+)$/.exec(ctx.recorded.path);
  if (!m || ctx.recorded.method !== 'POST') return false;
  const method = m[1];
  const auth = s.oauth.authenticate(ctx.recorded.headers, ctx.now);
  if (!auth.ok) {
    sendGoogleError(ctx, { code: 401 }, { 'www-authenticate': 'Bearer realm="https://accounts.google.com/"' });
    return true;
  }
  ctx.credential = { kind: 'oauth', value: auth.token };
  const body = ctx.recorded.json as Json | undefined;
  if (!isObject(body)) {
    sendGoogleError(ctx, { code: 400, message: 'Invalid JSON payload received.' });
    return true;
  }
  const credentials = [auth.token, auth.email];
  if (method === 'loadCodeAssist' || method === 'onboardUser') {
    const b = ctx.state.queue.take('code_assist_setup', credentials);
    if (b?.kind === 'error') sendGoogleError(ctx, specFor(b, true), geminiHeaders(b.headers));
    else setup(ctx, s, method);
    return true;
  }
  if (method === 'retrieveUserQuota') {
    sendJson(
      ctx,
      200,
      { buckets: [{ modelId: 'gemini-2.5-pro', tokenType: 'REQUESTS', remainingFraction: 0.75, resetTime: new Date(ctx.now + 3600_000).toISOString() }] },
      JSON_HEADERS,
    );
    return true;
  }
  if (method === 'countTokens') {
    const inner = isObject(body.request) ? body.request : {};
    if (typeof inner.model !== 'string' || !inner.model.startsWith('models/'))
      sendGoogleError(ctx, { code: 400, message: 'request.model must name models/{model}' });
    else answerCountTokens(ctx, countGeminiPrompt(inner), ctx.state.queue.take('gemini_count_tokens', credentials), true);
    return true;
  }
  if (method !== 'generateContent' && method !== 'streamGenerateContent') {
    sendGoogleError(ctx, { code: 404, message: `Method not found: ${method}` });
    return true;
  }
  const unknown = Object.keys(body).find((k) => !['model', 'project', 'user_prompt_id', 'request'].includes(k));
  if (unknown) return (sendGoogleError(ctx, { code: 400, message: `Invalid JSON payload received. Unknown name "${unknown}": Cannot find field.` }), true);
  if (typeof body.model !== 'string' || body.model === '') return (sendGoogleError(ctx, { code: 400, message: 'model is required' }), true);
  if (body.project !== s.user.projectId) {
    sendGoogleError(ctx, { code: 403, message: `Permission denied on resource project ${String(body.project)}.`, reason: 'CONSUMER_INVALID' });
    return true;
  }
  const problem = validateGemini(body.request, {
    extraFields: ['session_id'],
    requireSignatures: s.requireThoughtSignatures && /^gemini-3/.test(body.model),
    model: body.model,
  });
  if (problem) return (sendGoogleError(ctx, { code: 400, message: problem }), true);
  const stream = method === 'streamGenerateContent';
  const call = { req: body.request, model: body.model, stream, sse: ctx.recorded.query.alt === 'sse', codeAssist: true };
  await answerGemini(ctx, call, ctx.state.queue.take('gemini_generate', credentials));
  return true;
}
