// ChatGPT (Codex) subscription accounts: the OAuth access token as `Authorization: Bearer` plus the
// `chatgpt-account-id` header, sent to the ChatGPT backend's Codex Responses endpoint. Only Codex's own wire
// (Responses) is served; nothing of the client's request is disguised.
import { z } from 'zod';
import { classifyOpenAIFailure } from '../openai-api/errors.js';
import { openaiWire, responsesTest } from '../openai-api/wire.js';
import { OPS, type OAuthFlow, type ProviderAdapter } from '../types.js';
import { authorizeUrl, exchangeCode, readIdToken, refreshTokens } from './oauth.js';
import { parseCodexHeaders } from './windows.js';

export const REFRESH_MARGIN_MS = 5 * 60_000;

export const CODEX_TERMS =
  'ChatGPT Plus, Pro and Team plans are meant for the subscriber’s own use with ChatGPT and Codex. Sharing a ' +
  'subscription with other people or services through a relay may breach OpenAI’s terms and can get the account ' +
  'restricted. The relay sends each client’s requests as they are and does not disguise one client as another.';

export const openaiOAuthSecrets = z.object({
  accessToken: z.string().trim().min(8, 'accessToken looks too short').max(8192),
  refreshToken: z.string().trim().min(8).max(8192).nullable().default(null),
  idToken: z.string().max(16384).nullable().optional(),
  /** Epoch ms. */
  expiresAt: z.number().int().nonnegative(),
  /** The ChatGPT account the token acts for (sent as chatgpt-account-id). */
  accountId: z.string().trim().min(1).max(200),
  email: z.string().optional(),
  plan: z.string().optional(),
  org: z.string().optional(),
  scopes: z.array(z.string()).optional(),
});
export type OpenAIOAuthSecrets = z.infer<typeof openaiOAuthSecrets>;

const codexFlow: OAuthFlow<OpenAIOAuthSecrets> = {
  provider: 'openai',
  authorizeUrl: (d, pkce) => authorizeUrl(d.openaiOAuth, pkce),
  async exchange(d, grant, ctx) {
    const t = await exchangeCode(d.openaiOAuth, grant, ctx);
    const who = readIdToken(t.idToken);
    const secrets: OpenAIOAuthSecrets = {
      accessToken: t.accessToken,
      refreshToken: t.refreshToken,
      idToken: t.idToken,
      expiresAt: t.expiresAt,
      accountId: who.accountId!,
      email: who.email,
      plan: who.plan,
      org: who.org,
      scopes: t.scopes,
    };
    return { secrets, identity: { email: who.email, org: who.org, plan: who.plan, scopes: t.scopes, expiresAt: t.expiresAt } };
  },
};

export const openaiOAuthAdapter: ProviderAdapter<OpenAIOAuthSecrets> = {
  kind: 'openai-oauth',
  protocol: 'openai',
  wire: openaiWire,
  paths: { [OPS.openaiResponses]: '/responses', [OPS.openaiResponsesCompact]: '/responses/compact' },
  secretsSchema: openaiOAuthSecrets,
  defaultBaseUrl: (d) => d.codexApiUrl,
  applyAuth(headers, s) {
    headers.authorization = `Bearer ${s.accessToken}`;
    headers['chatgpt-account-id'] = s.accountId;
  },
  secretHint: (s) => `${s.accessToken.slice(0, 8)}…${s.accessToken.slice(-4)}`,
  refresh: {
    due: (s, now) => s.refreshToken !== null && s.expiresAt - now <= REFRESH_MARGIN_MS,
    async run(s, ctx) {
      if (!s.refreshToken) throw new Error('this account has no refresh token: authorise it again');
      const t = await refreshTokens(ctx.defaults.openaiOAuth, s.refreshToken, { fetch: ctx.fetch, now: ctx.now, viaProxy: ctx.viaProxy === true });
      const who = readIdToken(t.idToken);
      return {
        ...s,
        accessToken: t.accessToken,
        // Rotation: the new refresh token replaces the old one, which is dead now; keep the old only if none came.
        refreshToken: t.refreshToken ?? s.refreshToken,
        idToken: t.idToken ?? s.idToken,
        expiresAt: t.expiresAt,
        accountId: who.accountId ?? s.accountId,
        plan: who.plan ?? s.plan,
      };
    },
  },
  oauth: codexFlow,
  classify: classifyOpenAIFailure,
  observe: parseCodexHeaders,
  identity: (s) => (s.email || s.org || s.plan ? { email: s.email, org: s.org, plan: s.plan } : null),
  terms: CODEX_TERMS,
  test: responsesTest(true),
};
