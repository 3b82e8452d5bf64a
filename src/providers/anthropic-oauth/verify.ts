// Checks a pasted subscription token (a long-lived `claude setup-token` token, or an imported access/refresh pair)
// with the provider before the account is saved: the profile endpoint when the token may read it (it also says
// whose token it is), else a free count_tokens call (setup tokens carry only `user:inference`). An expired access
// token with a refresh token is refreshed first.
import { RelayError } from '../../core/errors.js';
import type { VerifyContext } from '../types.js';
import type { AnthropicOAuthSecrets } from './auth.js';
import { classifyOAuthFailure } from './errors.js';
import { refreshTokens } from './oauth.js';
import { fetchProfile } from './profile.js';

/** The model of the count_tokens check (any model the subscription serves; the call costs nothing). */
const CHECK_MODEL = 'claude-haiku-4-5';

type Verified = { secrets: AnthropicOAuthSecrets; identity: { email?: string; org?: string; plan?: string } | null };

function refused(status: number, message: string): RelayError {
  return new RelayError(
    'OAUTH_INVALID_GRANT',
    `The provider refused this token (HTTP ${status}${message ? `: ${message}` : ''}); check that it was copied whole and is not revoked or expired`,
    {
      details: { status },
    },
  );
}

function unreachable(ctx: VerifyContext, e: unknown): RelayError {
  const via = ctx.viaProxy ? ' through the account’s proxy' : '';
  return new RelayError('UPSTREAM_UNREACHABLE', `The provider could not be reached${via} to check the token (${(e as Error).message})`, { cause: e });
}

/** POST count_tokens with the token; resolves when the provider accepted the token, throws when it refused it. */
async function countTokensCheck(s: AnthropicOAuthSecrets, ctx: VerifyContext): Promise<void> {
  let res: Response;
  try {
    res = await ctx.fetch(`${ctx.baseUrl}/v1/messages/count_tokens`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${s.accessToken}`,
        'anthropic-version': '2023-06-01',
        'anthropic-beta': 'oauth-2025-04-20',
        'content-type': 'application/json',
        'user-agent': 'claude-relay-service',
      },
      body: JSON.stringify({ model: CHECK_MODEL, messages: [{ role: 'user', content: 'ping' }] }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (e) {
    throw unreachable(ctx, e);
  }
  const text = await res.text();
  if (res.ok) return;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const message = (body as { error?: { message?: unknown } } | undefined)?.error?.message;
  const msg = typeof message === 'string' ? message : '';
  if (res.status === 401 || res.status === 403) {
    const c = classifyOAuthFailure({ status: res.status, headers: {}, body, at: ctx.now });
    // "Only authorized for use with Claude Code": the token authenticated; it just serves Claude Code requests.
    if (c.kind === 'client_error') return;
    throw refused(res.status, msg);
  }
  // Authentication comes before everything else the API checks: any other client error or a rate limit means the
  // token was accepted.
  if (res.status < 500 || res.status === 529) return;
  throw new RelayError('UPSTREAM_BAD_RESPONSE', `The provider answered HTTP ${res.status} while checking the token; try again`, {
    details: { status: res.status },
  });
}

/** Verifies (and completes) pasted subscription credentials; see the file header. */
export async function verifyClaudeToken(input: AnthropicOAuthSecrets, ctx: VerifyContext): Promise<Verified> {
  let s = input;
  if (s.refreshToken && s.expiresAt <= ctx.now) {
    // An expired access token: trade the refresh token now (this also proves the refresh token).
    const t = await refreshTokens(ctx.defaults.claudeOAuth, s.refreshToken, { fetch: ctx.fetch, now: ctx.now, viaProxy: ctx.viaProxy === true });
    s = {
      ...s,
      accessToken: t.accessToken,
      refreshToken: t.refreshToken ?? s.refreshToken,
      expiresAt: t.expiresAt,
      scopes: t.scopes.length ? t.scopes : s.scopes,
    };
  }
  try {
    const p = await fetchProfile(ctx.defaults.claudeOAuth, s.accessToken, ctx.fetch);
    const secrets: AnthropicOAuthSecrets = {
      ...s,
      email: p.email ?? s.email,
      org: p.org ?? s.org,
      orgUuid: p.orgUuid ?? s.orgUuid,
      accountUuid: p.accountUuid ?? s.accountUuid,
      plan: p.plan ?? s.plan,
    };
    return { secrets, identity: { email: secrets.email, org: secrets.org, plan: secrets.plan } };
  } catch (e) {
    const d = e instanceof RelayError ? (e.details as { status?: number; message?: string } | undefined) : undefined;
    if (d?.status === 401) throw refused(401, d.message ?? '');
    if (e instanceof RelayError && e.code === 'UPSTREAM_UNREACHABLE') throw unreachable(ctx, e.cause ?? e);
    // 403 (a setup token lacks the profile scope) or any other answer: the count_tokens call decides.
  }
  await countTokensCheck(s, ctx);
  return { secrets: s, identity: s.email || s.org || s.plan ? { email: s.email, org: s.org, plan: s.plan } : null };
}
