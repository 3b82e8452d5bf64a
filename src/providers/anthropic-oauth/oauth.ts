// Claude subscription OAuth (PROTOCOLS 3.1): PKCE material, the authorise URL, the pasted `code#state`, and the
// token endpoint (authorization_code and refresh_token grants, JSON bodies). Requests identify as this relay;
// nothing here imitates another client.
import { postToken, type TokenCallOptions } from '../oauth-token.js';
import type { ClaudeOAuthEndpoints } from '../types.js';

export { newPkce, parsePastedCode, s256, type Pkce, type TokenCallOptions } from '../oauth-token.js';

/** The URL the operator opens to sign in; `code=true` makes the callback page show the code to paste. */
export function authorizeUrl(cfg: ClaudeOAuthEndpoints, pkce: { challenge: string; state: string; verifier?: string }): string {
  const q = new URLSearchParams({
    code: 'true',
    client_id: cfg.clientId,
    response_type: 'code',
    redirect_uri: cfg.redirectUri,
    scope: cfg.scopes,
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
    state: pkce.state,
  });
  return `${cfg.authorizeUrl}?${q.toString()}`;
}

/** What the token endpoint answered, in the relay's terms. */
export interface TokenSet {
  accessToken: string;
  /** Absent for long-lived setup tokens. */
  refreshToken: string | null;
  /** Epoch ms. */
  expiresAt: number;
  scopes: string[];
  email?: string;
  org?: string;
  orgUuid?: string;
  accountUuid?: string;
}

async function tokenCall(cfg: ClaudeOAuthEndpoints, body: Record<string, string>, o: TokenCallOptions): Promise<TokenSet> {
  return toTokenSet(await postToken(cfg.tokenUrl, body, o), o.now);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

function toTokenSet(j: Record<string, unknown>, now: number): TokenSet {
  const expiresIn = typeof j.expires_in === 'number' && j.expires_in > 0 ? j.expires_in : 28_800;
  const org = (j.organization ?? {}) as Record<string, unknown>;
  const account = (j.account ?? {}) as Record<string, unknown>;
  return {
    accessToken: j.access_token as string,
    refreshToken: str(j.refresh_token) ?? null,
    expiresAt: now + expiresIn * 1000,
    scopes: typeof j.scope === 'string' ? j.scope.split(/\s+/).filter(Boolean) : [],
    email: str(account.email_address) ?? str(account.email),
    org: str(org.name),
    orgUuid: str(org.uuid),
    accountUuid: str(account.uuid),
  };
}

/** Exchanges the pasted code (with the session's verifier) for tokens. */
export function exchangeCode(cfg: ClaudeOAuthEndpoints, input: { code: string; state: string; verifier: string }, o: TokenCallOptions): Promise<TokenSet> {
  return tokenCall(
    cfg,
    {
      grant_type: 'authorization_code',
      client_id: cfg.clientId,
      code: input.code,
      redirect_uri: cfg.redirectUri,
      code_verifier: input.verifier,
      state: input.state,
    },
    o,
  );
}

/** Trades a refresh token for a new pair (the old refresh token is dead afterwards). */
export function refreshTokens(cfg: ClaudeOAuthEndpoints, refreshToken: string, o: TokenCallOptions): Promise<TokenSet> {
  return tokenCall(cfg, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: cfg.clientId }, o);
}
