// The Claude subscription authorisation (PROTOCOLS 3.1): the authorise URL, then the code exchange, labelled with
// the profile when the token may read it.
import type { OAuthFlow } from '../types.js';
import type { AnthropicOAuthSecrets } from './auth.js';
import { authorizeUrl, exchangeCode } from './oauth.js';
import { fetchProfile, PROFILE_SCOPE } from './profile.js';

export const claudeOAuthFlow: OAuthFlow<AnthropicOAuthSecrets> = {
  provider: 'claude',
  authorizeUrl: (d, pkce) => authorizeUrl(d.claudeOAuth, pkce),
  async exchange(d, grant, ctx) {
    const cfg = d.claudeOAuth;
    const t = await exchangeCode(cfg, grant, ctx);
    const secrets: AnthropicOAuthSecrets = {
      accessToken: t.accessToken,
      refreshToken: t.refreshToken,
      expiresAt: t.expiresAt,
      scopes: t.scopes,
      email: t.email,
      org: t.org,
      orgUuid: t.orgUuid,
      accountUuid: t.accountUuid,
    };
    if (t.scopes.includes(PROFILE_SCOPE)) {
      try {
        const p = await fetchProfile(cfg, t.accessToken, ctx.fetch);
        secrets.email = p.email ?? secrets.email;
        secrets.org = p.org ?? secrets.org;
        secrets.orgUuid = p.orgUuid ?? secrets.orgUuid;
        secrets.accountUuid = p.accountUuid ?? secrets.accountUuid;
        secrets.plan = p.plan;
      } catch {
        // The tokens are good; the profile only labels the account.
      }
    }
    return { secrets, identity: { email: secrets.email, org: secrets.org, plan: secrets.plan, scopes: t.scopes, expiresAt: t.expiresAt } };
  },
};
