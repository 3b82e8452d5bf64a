// ChatGPT (Codex) subscription OAuth (PROTOCOLS 3.3): the authorise URL, the code exchange and the refresh
// (form-encoded, refresh tokens rotate), and what the id token says about the account.
import { RelayError } from '../../core/errors.js';
import { postToken, type TokenCallOptions } from '../oauth-token.js';
import type { OAuthEndpoints } from '../types.js';

export interface CodexTokens {
  accessToken: string;
  refreshToken: string | null;
  idToken: string | null;
  /** Epoch ms. */
  expiresAt: number;
  scopes: string[];
}

/** The ChatGPT identity inside an id token (its signature is the token endpoint's business: it came from there). */
export interface CodexIdentity {
  accountId?: string;
  email?: string;
  plan?: string;
  org?: string;
}

export function authorizeUrl(cfg: OAuthEndpoints, pkce: { challenge: string; state: string }): string {
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: cfg.clientId,
    redirect_uri: cfg.redirectUri,
    scope: cfg.scopes,
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
    state: pkce.state,
    id_token_add_organizations: 'true',
    codex_cli_simplified_flow: 'true',
  });
  return `${cfg.authorizeUrl}?${q.toString()}`;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** Reads the id token's payload; {} when it is not a JWT. */
export function readIdToken(idToken: string | null | undefined): CodexIdentity {
  const payload = idToken?.split('.')[1];
  if (!payload) return {};
  try {
    const j = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const auth = (j['https://api.openai.com/auth'] ?? {}) as Record<string, unknown>;
    const orgs = Array.isArray(auth.organizations) ? (auth.organizations as Record<string, unknown>[]) : [];
    const org = orgs.find((o) => o.is_default === true) ?? orgs[0];
    return { accountId: str(auth.chatgpt_account_id), email: str(j.email), plan: str(auth.chatgpt_plan_type), org: str(org?.title) };
  } catch {
    return {};
  }
}

function toTokens(j: Record<string, unknown>, now: number): CodexTokens {
  const expiresIn = typeof j.expires_in === 'number' && j.expires_in > 0 ? j.expires_in : 3600;
  return {
    accessToken: j.access_token as string,
    refreshToken: str(j.refresh_token) ?? null,
    idToken: str(j.id_token) ?? null,
    expiresAt: now + expiresIn * 1000,
    scopes: typeof j.scope === 'string' ? j.scope.split(/\s+/).filter(Boolean) : [],
  };
}

export async function exchangeCode(cfg: OAuthEndpoints, grant: { code: string; verifier: string }, o: TokenCallOptions): Promise<CodexTokens> {
  const body = { grant_type: 'authorization_code', code: grant.code, redirect_uri: cfg.redirectUri, client_id: cfg.clientId, code_verifier: grant.verifier };
  const t = toTokens(await postToken(cfg.tokenUrl, body, o, 'form'), o.now);
  if (!readIdToken(t.idToken).accountId)
    throw new RelayError('OAUTH_ENDPOINT_CHANGED', 'The token endpoint answered without a ChatGPT account id in the id token');
  return t;
}

export async function refreshTokens(cfg: OAuthEndpoints, refreshToken: string, o: TokenCallOptions): Promise<CodexTokens> {
  const body = { grant_type: 'refresh_token', client_id: cfg.clientId, refresh_token: refreshToken, scope: 'openid profile email' };
  return toTokens(await postToken(cfg.tokenUrl, body, o, 'form'), o.now);
}
