// Google OAuth for Gemini CLI / Code Assist accounts (PROTOCOLS 3.4): the authorise URL (PKCE S256, offline
// access, the code pasted back from Google's authcode page), the code exchange and the refresh (form-encoded,
// with the installed app's client secret), and who the id token names.
import { RelayError } from '../../core/errors.js';
import { postToken, type TokenCallOptions } from '../oauth-token.js';
import type { GoogleOAuthEndpoints } from '../types.js';

export interface GoogleTokens {
  accessToken: string;
  refreshToken: string | null;
  /** Epoch ms. */
  expiresAt: number;
  scopes: string[];
  email?: string;
}

export function authorizeUrl(cfg: GoogleOAuthEndpoints, pkce: { challenge: string; state: string }): string {
  const q = new URLSearchParams({
    client_id: cfg.clientId,
    redirect_uri: cfg.redirectUri,
    response_type: 'code',
    scope: cfg.scopes,
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
    state: pkce.state,
    // A refresh token is only issued with offline access, and again on re-consent.
    access_type: 'offline',
    prompt: 'consent',
  });
  return `${cfg.authorizeUrl}?${q.toString()}`;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** The email in a Google id token's payload (its signature is the token endpoint's business: it came from there). */
export function idTokenEmail(idToken: unknown): string | undefined {
  const payload = typeof idToken === 'string' ? idToken.split('.')[1] : undefined;
  if (!payload) return undefined;
  try {
    return str((JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { email?: unknown }).email);
  } catch {
    return undefined;
  }
}

function toTokens(j: Record<string, unknown>, now: number): GoogleTokens {
  const expiresIn = typeof j.expires_in === 'number' && j.expires_in > 0 ? j.expires_in : 3600;
  return {
    accessToken: j.access_token as string,
    refreshToken: str(j.refresh_token) ?? null,
    expiresAt: now + expiresIn * 1000,
    scopes: typeof j.scope === 'string' ? j.scope.split(/\s+/).filter(Boolean) : [],
    email: idTokenEmail(j.id_token),
  };
}

/** The client secret Google's token endpoint needs; a clear refusal when the operator has not configured it. */
function secretOf(cfg: GoogleOAuthEndpoints): string {
  if (!cfg.clientSecret)
    throw new RelayError(
      'BAD_REQUEST',
      'GEMINI_OAUTH_CLIENT_SECRET is not set: configure the OAuth client secret of Gemini CLI (published in its source) to use Google-account (gemini-oauth) accounts',
    );
  return cfg.clientSecret;
}

export async function exchangeCode(cfg: GoogleOAuthEndpoints, grant: { code: string; verifier: string }, o: TokenCallOptions): Promise<GoogleTokens> {
  const body = {
    grant_type: 'authorization_code',
    code: grant.code,
    redirect_uri: cfg.redirectUri,
    client_id: cfg.clientId,
    client_secret: secretOf(cfg),
    code_verifier: grant.verifier,
  };
  return toTokens(await postToken(cfg.tokenUrl, body, o, 'form'), o.now);
}

/** Google does not rotate refresh tokens: the answer usually has none, and the old one stays valid. */
export async function refreshTokens(cfg: GoogleOAuthEndpoints, refreshToken: string, o: TokenCallOptions): Promise<GoogleTokens> {
  const body = { grant_type: 'refresh_token', client_id: cfg.clientId, client_secret: secretOf(cfg), refresh_token: refreshToken };
  return toTokens(await postToken(cfg.tokenUrl, body, o, 'form'), o.now);
}
