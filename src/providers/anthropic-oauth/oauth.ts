// Claude subscription OAuth (PROTOCOLS 3.1): PKCE material, the authorise URL, the pasted `code#state`, and the
// token endpoint (authorization_code and refresh_token grants, JSON bodies). Requests identify as this relay;
// nothing here imitates another client.
import { createHash, randomBytes } from 'node:crypto';
import { RelayError } from '../../core/errors.js';
import type { ClaudeOAuthEndpoints } from '../types.js';

export interface Pkce {
  verifier: string;
  challenge: string;
  state: string;
}

/** Verifier and state: 32 random bytes each, base64url; challenge = base64url(SHA-256(verifier)). */
export function newPkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: s256(verifier), state: randomBytes(32).toString('base64url') };
}

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** The URL the operator opens to sign in; `code=true` makes the callback page show the code to paste. */
export function authorizeUrl(cfg: ClaudeOAuthEndpoints, pkce: Pkce): string {
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

const CODE_RE = /^[A-Za-z0-9_-]+$/;

/**
 * The code (and state, when present) from what the operator pasted: `code#state`, a bare code, or the full
 * callback URL (`…/callback?code=…&state=…`). Null when it does not look like a code.
 */
export function parsePastedCode(input: string): { code: string; state: string | null } | null {
  const text = input.trim();
  if (/^https?:\/\//i.test(text)) {
    let u: URL;
    try {
      u = new URL(text);
    } catch {
      return null;
    }
    const code = u.searchParams.get('code');
    // The callback page may also carry the state in the fragment (code#state shown after the URL).
    const state = u.searchParams.get('state') ?? (u.hash.length > 1 ? u.hash.slice(1) : null);
    return code && CODE_RE.test(code) ? { code, state } : null;
  }
  const [code, rest] = text.split('#', 2);
  const state = rest ? rest.split('&', 1)[0] : null;
  return code && CODE_RE.test(code) ? { code, state: state || null } : null;
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

export interface TokenCallOptions {
  fetch: typeof fetch;
  now: number;
  /** True when the call goes through a proxy (transport failures are then the proxy's). */
  viaProxy: boolean;
  timeoutMs?: number;
}

const USER_AGENT = 'claude-relay-service';

/** POST to the token endpoint; maps every failure to a stable code. */
async function tokenCall(cfg: ClaudeOAuthEndpoints, body: Record<string, string>, o: TokenCallOptions): Promise<TokenSet> {
  let res: Response;
  try {
    res = await o.fetch(cfg.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'user-agent': USER_AGENT },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(o.timeoutMs ?? 30_000),
    });
  } catch (e) {
    const why = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
    if (o.viaProxy) throw new RelayError('OAUTH_PROXY_UNREACHABLE', `The token endpoint could not be reached through the proxy (${why})`, { cause: e });
    throw new RelayError('UPSTREAM_UNREACHABLE', `The token endpoint is unreachable (${why})`, { cause: e });
  }
  const text = await res.text();
  let json: Record<string, unknown> | null = null;
  try {
    const v: unknown = JSON.parse(text);
    if (v && typeof v === 'object' && !Array.isArray(v)) json = v as Record<string, unknown>;
  } catch {
    json = null;
  }
  if (!res.ok) throw tokenError(res, json);
  if (!json || typeof json.access_token !== 'string' || !json.access_token) {
    throw new RelayError('OAUTH_ENDPOINT_CHANGED', 'The token endpoint answered without an access token');
  }
  return toTokenSet(json, o.now);
}

function tokenError(res: Response, json: Record<string, unknown> | null): RelayError {
  const code = typeof json?.error === 'string' ? json.error : undefined;
  const desc = typeof json?.error_description === 'string' ? json.error_description : undefined;
  const detail = [code, desc].filter(Boolean).join(': ');
  const isHtml = /text\/html/i.test(res.headers.get('content-type') ?? '');
  if (res.status === 403 && isHtml) return new RelayError('OAUTH_CLOUDFLARE_BLOCKED');
  if ((res.status === 400 || res.status === 401) && code) {
    return new RelayError('OAUTH_INVALID_GRANT', `The provider refused the grant (${detail})`, { details: { status: res.status, error: code } });
  }
  if (res.status === 404 || res.status === 405 || !json) {
    return new RelayError('OAUTH_ENDPOINT_CHANGED', `The token endpoint answered HTTP ${res.status}; its address may have changed`, { details: { status: res.status } });
  }
  return new RelayError('UPSTREAM_BAD_RESPONSE', `The token endpoint answered HTTP ${res.status}${detail ? ` (${detail})` : ''}`, {
    details: { status: res.status },
  });
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
export function exchangeCode(
  cfg: ClaudeOAuthEndpoints,
  input: { code: string; state: string; verifier: string },
  o: TokenCallOptions,
): Promise<TokenSet> {
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
