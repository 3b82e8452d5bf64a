// The subscription OAuth personality of the fake (PROTOCOLS 3.1, 3.2): the token endpoint (authorization_code
// with PKCE, refresh_token with rotation), the usage and profile endpoints, and the bearer tokens it issued as
// credentials of the Messages endpoint (they expire). `authorize()` plays the user who signs in and copies the code.
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AuthResult } from './request-checks.js';
import { type RequestContext, sendJson, sendProtocolError } from './respond.js';
import { uuidFrom } from './ids.js';

export const CLAUDE_CLIENT_ID = '9d1c250a-e61b-44d9-88ed-5944d1962f5e';
const OAUTH_BETA = 'oauth-2025-04-20';
const EXPIRED = 'OAuth token has expired. Please obtain a new token or refresh your existing token.';
const CODE_TTL_MS = 10 * 60_000;

interface IssuedCode {
  challenge: string;
  clientId: string;
  redirectUri: string;
  state: string;
  scope: string;
  issuedAt: number;
  used: boolean;
}

interface IssuedAccess {
  expiresAt: number;
  scope: string;
}

/** A forced answer of the token endpoint (e.g. `{ status: 500 }`, or an HTML 403 from the edge). */
export interface TokenFailure {
  status: number;
  body?: unknown;
  contentType?: string;
  /** How many token calls it answers (default 1). */
  times?: number;
}

/** Who signs in at the fake. */
export interface FakeIdentity {
  email: string;
  orgName: string;
  orgType: string;
}

const token = (prefix: string) => `${prefix}${randomBytes(30).toString('base64url')}`;
const s256 = (v: string) => createHash('sha256').update(v).digest('base64url');
const oauthError = (ctx: RequestContext, status: number, error: string, description: string) =>
  sendJson(ctx, status, { error, error_description: description }, {});

export class FakeOAuth {
  /** The client id the token endpoint accepts. */
  clientId = CLAUDE_CLIENT_ID;
  /** `expires_in` (seconds) of issued access tokens. */
  accessExpiresIn = 28_800;
  /** Delay before the token endpoint answers (to make concurrent refreshes overlap). */
  tokenDelayMs = 0;
  /** Only tokens this fake issued are accepted as OAuth bearers (default: any `sk-ant-oat01-` token, as before). */
  strictTokens = false;
  identity: FakeIdentity = { email: 'subscriber@example.com', orgName: 'Example Org', orgType: 'claude_max' };
  /** Replaces the usage endpoint's body when set. */
  usageBody: unknown = null;
  /** Token-endpoint calls with `grant_type=refresh_token` (successful or not). */
  refreshCalls = 0;
  /** Token-endpoint calls with `grant_type=authorization_code`. */
  exchangeCalls = 0;

  private readonly codes = new Map<string, IssuedCode>();
  private readonly access = new Map<string, IssuedAccess>();
  /** Live refresh tokens → the scope they grant. A used one is deleted (rotation). */
  private readonly refresh = new Map<string, string>();
  private readonly failures: TokenFailure[] = [];

  /**
   * Plays the user: checks the authorise URL like the provider would, "signs in" and returns what the callback page
   * shows for copy/paste: `code#state`.
   */
  authorize(authUrl: string): string {
    const u = new URL(authUrl);
    const q = u.searchParams;
    const need = (name: string) => {
      const v = q.get(name);
      if (!v) throw new Error(`fake-oauth: authorise URL lacks ${name}`);
      return v;
    };
    if (need('client_id') !== this.clientId) throw new Error(`fake-oauth: unknown client_id ${q.get('client_id')}`);
    if (need('response_type') !== 'code') throw new Error('fake-oauth: response_type must be code');
    if (need('code_challenge_method') !== 'S256') throw new Error('fake-oauth: code_challenge_method must be S256');
    const code = randomBytes(24).toString('base64url');
    this.codes.set(code, {
      challenge: need('code_challenge'),
      clientId: this.clientId,
      redirectUri: need('redirect_uri'),
      state: need('state'),
      scope: need('scope'),
      issuedAt: Date.now(),
      used: false,
    });
    return `${code}#${q.get('state')}`;
  }

  /** The callback URL the browser would land on (the other accepted paste format). */
  callbackUrl(authUrl: string): string {
    const [code, state] = this.authorize(authUrl).split('#');
    const redirect = new URL(authUrl).searchParams.get('redirect_uri')!;
    return `${redirect}?code=${code}&state=${state}`;
  }

  /** Makes the next token call(s) fail. */
  failTokenEndpoint(f: TokenFailure): void {
    this.failures.push({ ...f, times: f.times ?? 1 });
  }

  /** Expires one issued access token now, or all of them. */
  expireAccessToken(accessToken?: string): void {
    for (const [t, a] of this.access) if (accessToken === undefined || t === accessToken) a.expiresAt = Date.now() - 1;
  }

  isRefreshTokenLive(refreshToken: string): boolean {
    return this.refresh.has(refreshToken);
  }

  isAccessTokenLive(accessToken: string): boolean {
    const a = this.access.get(accessToken);
    return a !== undefined && a.expiresAt > Date.now();
  }

  /** Forgets every code and token, zeroes the counters and restores the defaults. */
  reset(): void {
    this.codes.clear();
    this.access.clear();
    this.refresh.clear();
    this.failures.length = 0;
    this.refreshCalls = 0;
    this.exchangeCalls = 0;
    this.accessExpiresIn = 28_800;
    this.tokenDelayMs = 0;
    this.strictTokens = false;
    this.usageBody = null;
  }

  /** Checks an OAuth bearer the fake knows about; undefined leaves the request to the default rules. */
  authenticate(headers: Record<string, string>, now: number): AuthResult | undefined {
    if (headers['x-api-key'] !== undefined) return undefined;
    const bearer = /^Bearer\s+(.+)$/i.exec(headers['authorization'] ?? '')?.[1]?.trim();
    if (!bearer?.startsWith('sk-ant-oat')) return undefined;
    const issued = this.access.get(bearer);
    if (!issued) return this.strictTokens ? { ok: false, message: 'Invalid bearer token' } : undefined;
    const betas = (headers['anthropic-beta'] ?? '').split(',').map((s) => s.trim());
    if (!betas.includes(OAUTH_BETA)) return { ok: false, message: 'OAuth authentication is currently not supported.' };
    if (issued.expiresAt <= now) return { ok: false, message: EXPIRED };
    return { ok: true, credential: { kind: 'oauth', value: bearer } };
  }

  /** Answers the OAuth endpoints; false for any other request. */
  async handle(ctx: RequestContext): Promise<boolean> {
    const { method, path } = ctx.recorded;
    if (method === 'POST' && path === '/v1/oauth/token') {
      await this.token(ctx);
      return true;
    }
    if (method === 'GET' && (path === '/api/oauth/usage' || path === '/api/oauth/profile')) {
      const a = this.bearer(ctx);
      if (!a) return true;
      if (!a.scope.split(' ').includes('user:profile')) {
        sendJson(ctx, 403, { type: 'error', error: { type: 'permission_error', message: 'OAuth token does not meet scope requirement user:profile' } }, {});
        return true;
      }
      sendJson(ctx, 200, path === '/api/oauth/usage' ? (this.usageBody ?? this.defaultUsage(ctx.now)) : this.profile(), {});
      return true;
    }
    return false;
  }

  private bearer(ctx: RequestContext): IssuedAccess | null {
    const bearer = /^Bearer\s+(.+)$/i.exec(ctx.recorded.headers['authorization'] ?? '')?.[1]?.trim() ?? '';
    const a = this.access.get(bearer);
    if (!a) sendProtocolError(ctx, 401, 'Invalid bearer token');
    else if (a.expiresAt <= ctx.now) sendProtocolError(ctx, 401, EXPIRED);
    else return a;
    return null;
  }

  private async token(ctx: RequestContext): Promise<void> {
    const body = ctx.recorded.json as Record<string, unknown> | undefined;
    if (body?.grant_type === 'refresh_token') this.refreshCalls++;
    if (body?.grant_type === 'authorization_code') this.exchangeCalls++;
    if (this.tokenDelayMs) await sleep(this.tokenDelayMs);
    const f = this.failures[0];
    if (f) {
      if (--f.times! <= 0) this.failures.shift();
      const text = typeof f.body === 'string' ? f.body : JSON.stringify(f.body ?? { error: 'server_error', error_description: 'fake failure' });
      ctx.res.writeHead(f.status, { 'content-type': f.contentType ?? 'application/json', 'content-length': Buffer.byteLength(text) });
      ctx.res.end(text);
      return;
    }
    if (!/^application\/json/i.test(ctx.recorded.headers['content-type'] ?? '') || !body || typeof body !== 'object') {
      return oauthError(ctx, 400, 'invalid_request', 'The request body must be JSON');
    }
    if (body.client_id !== this.clientId) return oauthError(ctx, 401, 'invalid_client', 'Client authentication failed');
    if (body.grant_type === 'authorization_code') return this.exchange(ctx, body);
    if (body.grant_type === 'refresh_token') return this.rotate(ctx, body);
    return oauthError(ctx, 400, 'unsupported_grant_type', `Unsupported grant_type: ${String(body.grant_type)}`);
  }

  private exchange(ctx: RequestContext, body: Record<string, unknown>): void {
    const c = typeof body.code === 'string' ? this.codes.get(body.code) : undefined;
    if (!c || c.used || ctx.now - c.issuedAt > CODE_TTL_MS) return oauthError(ctx, 400, 'invalid_grant', 'Invalid or expired authorization code');
    if (body.redirect_uri !== c.redirectUri) return oauthError(ctx, 400, 'invalid_grant', 'redirect_uri does not match the authorisation request');
    if (body.state !== c.state) return oauthError(ctx, 400, 'invalid_grant', 'state does not match the authorisation request');
    if (typeof body.code_verifier !== 'string' || s256(body.code_verifier) !== c.challenge) {
      return oauthError(ctx, 400, 'invalid_grant', 'Invalid code_verifier');
    }
    c.used = true;
    this.issue(ctx, c.scope);
  }

  private rotate(ctx: RequestContext, body: Record<string, unknown>): void {
    const rt = typeof body.refresh_token === 'string' ? body.refresh_token : '';
    const scope = this.refresh.get(rt);
    if (scope === undefined) return oauthError(ctx, 400, 'invalid_grant', 'Refresh token not found or invalid');
    this.refresh.delete(rt); // rotation: the old refresh token is dead from now on
    this.issue(ctx, scope);
  }

  private issue(ctx: RequestContext, scope: string): void {
    const accessToken = token('sk-ant-oat01-');
    const refreshToken = token('sk-ant-ort01-');
    this.access.set(accessToken, { expiresAt: ctx.now + this.accessExpiresIn * 1000, scope });
    this.refresh.set(refreshToken, scope);
    sendJson(
      ctx,
      200,
      {
        token_type: 'Bearer',
        access_token: accessToken,
        refresh_token: refreshToken,
        expires_in: this.accessExpiresIn,
        scope,
        organization: { uuid: uuidFrom(this.identity.orgName), name: this.identity.orgName },
        account: { uuid: uuidFrom(this.identity.email), email_address: this.identity.email },
      },
      {},
    );
  }

  private profile() {
    const { email, orgName, orgType } = this.identity;
    return {
      account: {
        uuid: uuidFrom(email),
        email,
        full_name: 'Sub Scriber',
        display_name: 'Sub',
        has_claude_max: orgType === 'claude_max',
        has_claude_pro: orgType === 'claude_pro',
      },
      organization: {
        uuid: uuidFrom(orgName),
        name: orgName,
        organization_type: orgType,
        billing_type: 'stripe_subscription',
        rate_limit_tier: 'default_claude_max_20x',
      },
    };
  }

  private defaultUsage(now: number) {
    const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');
    return {
      five_hour: { utilization: 24.0, resets_at: iso(now + 2 * 3600_000 + 17 * 60_000) },
      seven_day: { utilization: 36.0, resets_at: iso(now + 3 * 86_400_000 + 5 * 3600_000) },
      seven_day_sonnet: { utilization: 1.0, resets_at: iso(now + 3 * 86_400_000 + 13 * 3600_000) },
      seven_day_opus: null,
      seven_day_oauth_apps: null,
      extra_usage: { is_enabled: false, monthly_limit: null, used_credits: null, utilization: null },
    };
  }
}
