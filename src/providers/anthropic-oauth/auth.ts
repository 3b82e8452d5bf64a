// Claude subscription (Pro/Max/Team) accounts: the OAuth access token goes as `Authorization: Bearer` with the
// `oauth-2025-04-20` beta merged into the client's own list. Nothing else of the request is changed: the relay
// does not disguise one client as another.
import { z } from 'zod';
import type { ProviderAdapter } from '../types.js';
import { classifyOAuthFailure } from './errors.js';
import { refreshTokens } from './oauth.js';
import { fetchUsage } from './profile.js';
import { claudeOAuthFlow } from './flow.js';
import { verifyClaudeToken } from './verify.js';
import { parseUnifiedHeaders } from './windows.js';
import { anthropicProbe, anthropicTest, anthropicWire, PATHS } from '../anthropic-api/wire.js';

export const OAUTH_BETA = 'oauth-2025-04-20';

/** Refresh this long before the access token expires. */
export const REFRESH_MARGIN_MS = 60_000;

/** The provider's terms for subscription use, stated plainly (English; the admin UI translates it). */
export const SUBSCRIPTION_TERMS =
  'Claude Pro, Max and Team subscriptions are meant for the subscriber’s own use with Claude’s apps and Claude Code. ' +
  'Sharing a subscription account with other people or services through a relay may breach Anthropic’s terms and can ' +
  'get the account restricted. The relay sends each client’s requests as they are and does not disguise one client as another.';

export const anthropicOAuthSecrets = z.object({
  accessToken: z.string().trim().min(8, 'accessToken looks too short').max(4096),
  /** Null for long-lived setup tokens, which cannot be refreshed. */
  refreshToken: z.string().trim().min(8).max(4096).nullable().default(null),
  /** Epoch ms. */
  expiresAt: z.number().int().nonnegative(),
  scopes: z.array(z.string()).optional(),
  email: z.string().optional(),
  org: z.string().optional(),
  orgUuid: z.string().optional(),
  accountUuid: z.string().optional(),
  plan: z.string().optional(),
});
export type AnthropicOAuthSecrets = z.infer<typeof anthropicOAuthSecrets>;

/** Adds `flag` to a comma-separated beta list: the client's flags keep their order, duplicates go. */
export function mergeBeta(list: string | undefined, flag: string): string {
  const out: string[] = [];
  for (const raw of (list ?? '').split(',')) {
    const f = raw.trim();
    if (f && !out.includes(f)) out.push(f);
  }
  if (!out.includes(flag)) out.push(flag);
  return out.join(',');
}

export const anthropicOAuthAdapter: ProviderAdapter<AnthropicOAuthSecrets> = {
  kind: 'anthropic-oauth',
  protocol: 'anthropic',
  wire: anthropicWire,
  paths: PATHS,
  baseUrlSuffix: '/v1',
  test: anthropicTest,
  probe: anthropicProbe,
  secretsSchema: anthropicOAuthSecrets,
  defaultBaseUrl: (d) => d.anthropicApiUrl,
  applyAuth(headers, s) {
    delete headers['x-api-key'];
    headers.authorization = `Bearer ${s.accessToken}`;
    headers['anthropic-beta'] = mergeBeta(headers['anthropic-beta'], OAUTH_BETA);
  },
  secretHint: (s) => `${s.accessToken.slice(0, 13)}…${s.accessToken.slice(-4)}`,
  refresh: {
    due: (s, now) => s.refreshToken !== null && s.expiresAt - now <= REFRESH_MARGIN_MS,
    async run(s, ctx) {
      if (!s.refreshToken) throw new Error('this token has no refresh token (setup token): authorise the account again');
      const t = await refreshTokens(ctx.defaults.claudeOAuth, s.refreshToken, { fetch: ctx.fetch, now: ctx.now, viaProxy: ctx.viaProxy === true });
      return {
        ...s,
        accessToken: t.accessToken,
        // Rotation: the provider returns a new refresh token and the old one is dead; keep the old only if none came.
        refreshToken: t.refreshToken ?? s.refreshToken,
        expiresAt: t.expiresAt,
        scopes: t.scopes.length ? t.scopes : s.scopes,
      };
    },
  },
  oauth: claudeOAuthFlow,
  verify: verifyClaudeToken,
  classify: classifyOAuthFailure,
  observe: (headers) => parseUnifiedHeaders(headers),
  fetchWindows: (s, ctx) => fetchUsage(ctx.defaults.claudeOAuth, s.accessToken, ctx.fetch),
  identity: (s) => (s.email || s.org || s.plan ? { email: s.email, org: s.org, plan: s.plan } : null),
  terms: SUBSCRIPTION_TERMS,
};
