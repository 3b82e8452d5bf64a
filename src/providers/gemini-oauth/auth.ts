// Gemini CLI (Google login) accounts: a Google OAuth access token as `Authorization: Bearer`, sent to Code Assist
// (`/v1internal:<method>`) with the account's project. Gemini CLI's own Code Assist calls pass through (pointed at
// this account's project and model); Gemini-API-shaped requests travel in Code Assist's envelope and come back
// unwrapped. Nothing of the client's request is disguised.
import { z } from 'zod';
import { retargetCountTokens, retargetGenerate, retargetSetup, wrapCountTokens, wrapGenerate } from '../../translate/gemini-to-codeassist/index.js';
import { CodeAssistJsonUnwrapper, CodeAssistSseUnwrapper } from '../../translate/gemini-to-codeassist/index.js';
import { classifyGeminiFailure } from '../gemini-api/errors.js';
import { geminiTest, geminiWire } from '../gemini-api/wire.js';
import { OPS, type Envelope, type OAuthFlow, type ProviderAdapter } from '../types.js';
import { authorizeUrl, exchangeCode, refreshTokens } from './oauth.js';
import { discoverProject } from './setup.js';

export const REFRESH_MARGIN_MS = 5 * 60_000;

export const GEMINI_TERMS =
  'Gemini Code Assist for individuals (the Google login of Gemini CLI) is meant for the signed-in person’s own use ' +
  'in Gemini CLI and Code Assist. Sharing it with other people or services through a relay may breach Google’s terms ' +
  'and can get the Google account restricted; prompts may be used to improve Google’s products under its privacy ' +
  'notice. The relay sends each client’s requests as they are and does not disguise one client as another.';

export const geminiOAuthSecrets = z.object({
  accessToken: z.string().trim().min(8, 'accessToken looks too short').max(8192),
  refreshToken: z.string().trim().min(8).max(8192).nullable().default(null),
  /** Epoch ms. */
  expiresAt: z.number().int().nonnegative(),
  /** The Google Cloud project Code Assist serves and bills this account under (discovered, or entered). */
  projectId: z
    .string({ error: 'projectId is required: it could not be discovered for this Google account, enter its Google Cloud project id' })
    .trim()
    .min(1, 'projectId is required')
    .max(200),
  email: z.string().optional(),
  /** Code Assist tier (free-tier, standard-tier, …). */
  tier: z.string().optional(),
  scopes: z.array(z.string()).optional(),
});
export type GeminiOAuthSecrets = z.infer<typeof geminiOAuthSecrets>;

const googleFlow: OAuthFlow<GeminiOAuthSecrets> = {
  provider: 'gemini',
  authorizeUrl: (d, pkce) => authorizeUrl(d.geminiOAuth, pkce),
  async exchange(d, grant, ctx) {
    const t = await exchangeCode(d.geminiOAuth, grant, ctx);
    const setup = await discoverProject(d.codeAssistApiUrl, t.accessToken, { fetch: ctx.fetch });
    // Without a project the secrets are incomplete on purpose: creating the account then asks for projectId.
    const secrets = {
      accessToken: t.accessToken,
      refreshToken: t.refreshToken,
      expiresAt: t.expiresAt,
      ...(setup.projectId ? { projectId: setup.projectId } : {}),
      ...(t.email ? { email: t.email } : {}),
      ...(setup.tier ? { tier: setup.tier } : {}),
      scopes: t.scopes,
    } as GeminiOAuthSecrets;
    const note = setup.problem ? `Code Assist project not found: ${setup.problem}` : undefined;
    return {
      secrets,
      identity: { email: t.email, org: setup.projectId ?? undefined, plan: setup.tier ?? undefined, scopes: t.scopes, expiresAt: t.expiresAt, note },
    };
  },
};

type S = GeminiOAuthSecrets;
const sse = (stream: boolean) => (stream ? new CodeAssistSseUnwrapper() : new CodeAssistJsonUnwrapper());
/** Gemini-API-shaped generate requests in Code Assist's envelope, answers unwrapped. */
const generate: Envelope<S> = { wrap: (json, c) => wrapGenerate(json, { model: c.model, project: c.secrets.projectId }), unwrap: sse };

export const geminiOAuthAdapter: ProviderAdapter<S> = {
  kind: 'gemini-oauth',
  protocol: 'gemini',
  wire: geminiWire,
  paths: {
    [OPS.geminiGenerate]: '/v1internal:generateContent',
    [OPS.geminiStream]: '/v1internal:streamGenerateContent',
    [OPS.geminiCountTokens]: '/v1internal:countTokens',
    [OPS.codeAssistGenerate]: '/v1internal:generateContent',
    [OPS.codeAssistStream]: '/v1internal:streamGenerateContent',
    [OPS.codeAssistCountTokens]: '/v1internal:countTokens',
    [OPS.codeAssistLoad]: '/v1internal:loadCodeAssist',
    [OPS.codeAssistOnboard]: '/v1internal:onboardUser',
  },
  envelopes: {
    [OPS.geminiGenerate]: generate,
    [OPS.geminiStream]: generate,
    [OPS.geminiCountTokens]: { wrap: (json, c) => wrapCountTokens(json, { model: c.model }) },
    [OPS.codeAssistGenerate]: { wrap: (json, c) => retargetGenerate(json, { model: c.model, project: c.secrets.projectId }) },
    [OPS.codeAssistStream]: { wrap: (json, c) => retargetGenerate(json, { model: c.model, project: c.secrets.projectId }) },
    [OPS.codeAssistCountTokens]: { wrap: (json, c) => retargetCountTokens(json, { model: c.model }) },
    [OPS.codeAssistLoad]: { wrap: (json, c) => retargetSetup(json, { project: c.secrets.projectId }) },
    [OPS.codeAssistOnboard]: { wrap: (json, c) => retargetSetup(json, { project: c.secrets.projectId }) },
  },
  secretsSchema: geminiOAuthSecrets,
  defaultBaseUrl: (d) => d.codeAssistApiUrl,
  applyAuth(headers, s) {
    headers.authorization = `Bearer ${s.accessToken}`;
  },
  secretHint: (s) => `${s.accessToken.slice(0, 8)}…${s.accessToken.slice(-4)}`,
  refresh: {
    due: (s, now) => s.refreshToken !== null && s.expiresAt - now <= REFRESH_MARGIN_MS,
    async run(s, ctx) {
      if (!s.refreshToken) throw new Error('this account has no refresh token: authorise it again');
      const t = await refreshTokens(ctx.defaults.geminiOAuth, s.refreshToken, { fetch: ctx.fetch, now: ctx.now, viaProxy: ctx.viaProxy === true });
      return { ...s, accessToken: t.accessToken, refreshToken: t.refreshToken ?? s.refreshToken, expiresAt: t.expiresAt };
    },
  },
  oauth: googleFlow,
  classify: classifyGeminiFailure,
  identity: (s) => ({ email: s.email, org: s.projectId, plan: s.tier }),
  terms: GEMINI_TERMS,
  test: geminiTest,
  probe: {
    path: '/v1internal:loadCodeAssist',
    method: 'POST',
    body: () => ({ metadata: { ideType: 'IDE_UNSPECIFIED', platform: 'PLATFORM_UNSPECIFIED', pluginType: 'GEMINI' } }),
    defaultModel: 'gemini-2.5-flash',
  },
};
