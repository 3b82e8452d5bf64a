// OAuth pieces every subscription flow shares (authorization code + PKCE S256, RFC 7636): PKCE material, what
// the operator pasted back, and the token endpoint call with its failure codes. Requests identify as this relay.
import { createHash, randomBytes } from 'node:crypto';
import { RelayError } from '../core/errors.js';

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

/** URL-safe characters, and `/` (Google's codes look like `4/0AVG7…`). */
const CODE_RE = /^[A-Za-z0-9_\-/]+$/;

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

export interface TokenCallOptions {
  fetch: typeof fetch;
  now: number;
  /** True when the call goes through a proxy (transport failures are then the proxy's). */
  viaProxy: boolean;
  timeoutMs?: number;
}

const USER_AGENT = 'claude-relay-service';

/**
 * POST to a token endpoint (JSON or form-encoded body); the answer's JSON with a non-empty access_token, or a
 * stable error code for every failure.
 */
export async function postToken(
  tokenUrl: string,
  body: Record<string, string>,
  o: TokenCallOptions,
  encoding: 'json' | 'form' = 'json',
): Promise<Record<string, unknown>> {
  let res: Response;
  const form = encoding === 'form';
  try {
    res = await o.fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json', accept: 'application/json', 'user-agent': USER_AGENT },
      body: form ? new URLSearchParams(body).toString() : JSON.stringify(body),
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
  return json;
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
    return new RelayError('OAUTH_ENDPOINT_CHANGED', `The token endpoint answered HTTP ${res.status}; its address may have changed`, {
      details: { status: res.status },
    });
  }
  return new RelayError('UPSTREAM_BAD_RESPONSE', `The token endpoint answered HTTP ${res.status}${detail ? ` (${detail})` : ''}`, {
    details: { status: res.status },
  });
}
