// The ChatGPT (Codex) OAuth personality of the fake (PROTOCOLS 3.3): `POST /oauth/token` (authorization_code with
// PKCE, refresh_token with rotation; form-encoded or JSON), `GET /backend-api/wham/usage`, and the access tokens it
// issues, which are the only credentials of the Codex backend (`/backend-api/codex/responses`). Separate from the
// Claude OAuth state (`fake.oauth`, `/v1/oauth/token`).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type CodexPlanUsage, DEFAULT_PLAN_USAGE } from './openai-behaviours.js';
import { codexHeaders } from './openai-common.js';
import type { TokenFailure } from './oauth.js';
import { type RequestContext, sendJson } from './respond.js';

export const CODEX_CLIENT_ID = 'app_EMoamEEZ73f0CkXaXp7hrann';
export const CODEX_REDIRECT_URI = 'http://localhost:1455/auth/callback';
const SCOPE = 'openid profile email offline_access';
const CODE_TTL_MS = 10 * 60_000;

/** The ChatGPT account a code (and the tokens from it) belongs to. */
export interface OpenAIAccountIdentity {
  /** `chatgpt_account_id` (the `chatgpt-account-id` header the backend wants). */
  accountId: string;
  email: string;
  /** `chatgpt_plan_type`: 'plus', 'pro', 'team', … */
  plan: string;
  /** `chatgpt_user_id`. */
  userId: string;
  /** Title of the default organisation in the id token. */
  orgTitle: string;
  /** `name` claim. */
  name: string;
}

/** What {@link FakeOpenAIOAuth.issueCode} needs; every field is optional. */
export interface IssueCodeOptions extends Partial<OpenAIAccountIdentity> {
  /** PKCE S256 challenge the exchange's `code_verifier` must match; without one the verifier is not checked. */
  codeChallenge?: string;
  /** Convenience: the verifier itself (the fake computes its S256 challenge). */
  codeVerifier?: string;
  /** redirect_uri the exchange must repeat (default {@link CODEX_REDIRECT_URI}). */
  redirectUri?: string;
}

interface IssuedCode {
  challenge?: string;
  redirectUri: string;
  who: OpenAIAccountIdentity;
  issuedAt: number;
  used: boolean;
}

interface IssuedAccess {
  who: OpenAIAccountIdentity;
  expiresAt: number;
}

/** Result of checking a Codex-backend request's bearer and `chatgpt-account-id`. */
export type CodexAuth = { ok: true; accessToken: string; who: OpenAIAccountIdentity } | { ok: false; status: 401 | 403; body: unknown };

const b64url = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
/** An unsigned-looking JWT (random signature); only the fake's own maps give tokens meaning. */
const jwt = (payload: Record<string, unknown>): string =>
  `${b64url({ alg: 'RS256', typ: 'JWT', kid: 'fake-openai' })}.${b64url(payload)}.${randomBytes(32).toString('base64url')}`;
const s256 = (v: string): string => createHash('sha256').update(v).digest('base64url');
const oauthError = (ctx: RequestContext, status: number, error: string, description: string): void =>
  sendJson(ctx, status, { error, error_description: description }, {});

/** Decodes a JWT's payload (tests read the id token's `https://api.openai.com/auth` claim with it). */
export function decodeJwtPayload(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
}

export class FakeOpenAIOAuth {
  /** client_id the token endpoint accepts. */
  clientId = CODEX_CLIENT_ID;
  /** `expires_in` (seconds) of issued access tokens; short by default so refresh paths are easy to reach. */
  accessExpiresIn = 3600;
  /** Delay before the token endpoint answers (to make concurrent refreshes overlap). */
  tokenDelayMs = 0;
  /** Who signs in by default (codes from {@link authorize}, fields missing from {@link issueCode}). */
  identity: OpenAIAccountIdentity = {
    accountId: 'acc_3f9d2c1e-0b7a-4c55-9e61-2a8f0d4b7c10',
    email: 'codex-user@example.com',
    plan: 'plus',
    userId: 'user-Kp2mW9xQ4rT7vY1zB8nC3dF6',
    orgTitle: 'Personal',
    name: 'Codex User',
  };
  /** Plan usage shown in the backend's `x-codex-*` headers and by `/backend-api/wham/usage` (edit it live). */
  planUsage: CodexPlanUsage = { ...DEFAULT_PLAN_USAGE };
  /** When true the Codex backend answers 400 `{detail}` unless the body has `stream: true` and `store: false`. */
  strictCodexBody = false;
  /** Token-endpoint calls with `grant_type=refresh_token` (successful or not). */
  refreshCalls = 0;
  /** Token-endpoint calls with `grant_type=authorization_code`. */
  exchangeCalls = 0;

  private readonly codes = new Map<string, IssuedCode>();
  private readonly access = new Map<string, IssuedAccess>();
  /** Live refresh tokens; a used one is deleted (rotation). */
  private readonly refresh = new Map<string, OpenAIAccountIdentity>();
  private readonly failures: TokenFailure[] = [];

  /** Registers an authorization code for the exchange (like a user who signed in); returns the code. */
  issueCode(o: IssueCodeOptions = {}): string {
    const { codeChallenge, codeVerifier, redirectUri, ...who } = o;
    const code = `ac_${randomBytes(24).toString('base64url')}`;
    this.codes.set(code, {
      challenge: codeChallenge ?? (codeVerifier !== undefined ? s256(codeVerifier) : undefined),
      redirectUri: redirectUri ?? CODEX_REDIRECT_URI,
      who: { ...this.identity, ...who },
      issuedAt: Date.now(),
      used: false,
    });
    return code;
  }

  /**
   * Plays the user on an authorise URL the relay built: checks client_id, response_type=code, S256 challenge,
   * redirect_uri and state, "signs in" as {@link identity} (overridable) and returns the callback URL the browser
   * lands on (`<redirect_uri>?code=…&scope=…&state=…`), which is what an operator pastes.
   */
  authorize(authUrl: string, who: Partial<OpenAIAccountIdentity> = {}): string {
    const q = new URL(authUrl).searchParams;
    const need = (name: string): string => {
      const v = q.get(name);
      if (!v) throw new Error(`fake-openai-oauth: authorise URL lacks ${name}`);
      return v;
    };
    if (need('client_id') !== this.clientId) throw new Error(`fake-openai-oauth: unknown client_id ${q.get('client_id')}`);
    if (need('response_type') !== 'code') throw new Error('fake-openai-oauth: response_type must be code');
    if (need('code_challenge_method') !== 'S256') throw new Error('fake-openai-oauth: code_challenge_method must be S256');
    const redirectUri = need('redirect_uri');
    const code = this.issueCode({ ...who, codeChallenge: need('code_challenge'), redirectUri });
    return `${redirectUri}?${new URLSearchParams({ code, scope: q.get('scope') ?? SCOPE, state: need('state') })}`;
  }

  /** Makes the next token call(s) fail (any grant), e.g. `{ status: 500 }` or an HTML 403. */
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

  /** Forgets every code and token, zeroes the counters and restores the defaults (not done by `fake.reset()`). */
  reset(): void {
    this.codes.clear();
    this.access.clear();
    this.refresh.clear();
    this.failures.length = 0;
    this.refreshCalls = 0;
    this.exchangeCalls = 0;
    this.accessExpiresIn = 3600;
    this.tokenDelayMs = 0;
    this.strictCodexBody = false;
    this.planUsage = { ...DEFAULT_PLAN_USAGE };
  }

  /**
   * Checks a Codex-backend request. Bearer missing, unknown or expired → 401 (`code` null / `token_expired`);
   * `chatgpt-account-id` missing or not the token's account → 403. Bodies are [GUESS]es with a stable shape:
   * `{error:{message,type,code,param}}`.
   */
  authenticate(headers: Record<string, string>, now: number): CodexAuth {
    const err = (status: 401 | 403, message: string, code: string | null): CodexAuth => ({
      ok: false,
      status,
      body: { error: { message, type: 'invalid_request_error', code, param: null } },
    });
    const bearer = /^Bearer\s+(.+)$/i.exec(headers['authorization'] ?? '')?.[1]?.trim() ?? '';
    const a = this.access.get(bearer);
    if (!a) return err(401, 'Could not parse your authentication token. Please try signing in again.', null);
    if (a.expiresAt <= now) return err(401, 'Provided authentication token is expired. Please try signing in again.', 'token_expired');
    const account = headers['chatgpt-account-id'];
    if (!account) return err(403, 'Missing chatgpt-account-id header.', 'missing_account_id');
    if (account !== a.who.accountId) return err(403, 'You do not have access to this workspace.', 'account_mismatch');
    return { ok: true, accessToken: bearer, who: a.who };
  }

  /** Answers `POST /oauth/token` and `GET /backend-api/wham/usage`; false for any other request. */
  async handle(ctx: RequestContext): Promise<boolean> {
    const { method, path } = ctx.recorded;
    if (method === 'POST' && path === '/oauth/token') {
      await this.token(ctx);
      return true;
    }
    if (method === 'GET' && path === '/backend-api/wham/usage') {
      const auth = this.authenticate(ctx.recorded.headers, ctx.now);
      if (!auth.ok) sendJson(ctx, auth.status, auth.body, {});
      else sendJson(ctx, 200, this.usageBody(auth.who.plan, ctx.now), codexHeaders(this.planUsage, ctx.now));
      return true;
    }
    return false;
  }

  /** The wham/usage body of PROTOCOLS 3.3 for the current {@link planUsage}. */
  usageBody(planType: string, now: number): Record<string, unknown> {
    const u = this.planUsage;
    const s = Math.floor(now / 1000);
    const win = (used: number, seconds: number, after: number) => ({
      used_percent: used,
      limit_window_seconds: seconds,
      reset_after_seconds: after,
      reset_at: s + after,
    });
    const reached = u.primaryUsedPercent >= 100 || u.secondaryUsedPercent >= 100;
    return {
      plan_type: planType,
      rate_limit: {
        allowed: !reached,
        limit_reached: reached,
        primary_window: win(u.primaryUsedPercent, 18000, u.primaryResetAfterSeconds),
        secondary_window: win(u.secondaryUsedPercent, 604800, u.secondaryResetAfterSeconds),
      },
      code_review_rate_limit: { allowed: true, limit_reached: false, primary_window: win(0, 604800, 604800), secondary_window: null },
      credits: { has_credits: false, unlimited: false, balance: '0' },
    };
  }

  private async token(ctx: RequestContext): Promise<void> {
    const type = ctx.recorded.headers['content-type'] ?? '';
    let body: Record<string, unknown> | undefined;
    if (/^application\/x-www-form-urlencoded/i.test(type)) body = Object.fromEntries(new URLSearchParams(ctx.recorded.body.toString('utf8')));
    else if (/^application\/json/i.test(type) && typeof ctx.recorded.json === 'object' && ctx.recorded.json !== null) body = ctx.recorded.json;
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
    if (!body) return oauthError(ctx, 400, 'invalid_request', 'The body must be application/x-www-form-urlencoded or JSON');
    if (body.client_id !== this.clientId) return oauthError(ctx, 401, 'invalid_client', 'Client authentication failed');
    if (body.grant_type === 'authorization_code') return this.exchange(ctx, body);
    if (body.grant_type === 'refresh_token') return this.rotate(ctx, body);
    return oauthError(ctx, 400, 'unsupported_grant_type', `Unsupported grant_type: ${String(body.grant_type)}`);
  }

  private exchange(ctx: RequestContext, body: Record<string, unknown>): void {
    const c = typeof body.code === 'string' ? this.codes.get(body.code) : undefined;
    if (!c || c.used || ctx.now - c.issuedAt > CODE_TTL_MS) return oauthError(ctx, 400, 'invalid_grant', 'Invalid or expired authorization code');
    if (body.redirect_uri !== c.redirectUri) return oauthError(ctx, 400, 'invalid_grant', 'redirect_uri does not match the authorization request');
    if (c.challenge !== undefined && (typeof body.code_verifier !== 'string' || s256(body.code_verifier) !== c.challenge)) {
      return oauthError(ctx, 400, 'invalid_grant', 'Invalid code_verifier');
    }
    c.used = true;
    this.issue(ctx, c.who);
  }

  private rotate(ctx: RequestContext, body: Record<string, unknown>): void {
    const rt = typeof body.refresh_token === 'string' ? body.refresh_token : '';
    const who = this.refresh.get(rt);
    if (!who) return oauthError(ctx, 400, 'invalid_grant', 'Refresh token not found, expired or already used');
    this.refresh.delete(rt); // rotation: the old refresh token is dead from now on
    this.issue(ctx, who);
  }

  private issue(ctx: RequestContext, who: OpenAIAccountIdentity): void {
    const iat = Math.floor(ctx.now / 1000);
    const exp = iat + this.accessExpiresIn;
    const auth = {
      chatgpt_account_id: who.accountId,
      chatgpt_user_id: who.userId,
      user_id: who.userId,
      chatgpt_plan_type: who.plan,
      organizations: [{ id: `org-${who.accountId.slice(-12)}`, role: 'owner', title: who.orgTitle, is_default: true }],
    };
    const idToken = jwt({
      iss: 'https://auth.openai.com',
      aud: [this.clientId],
      sub: `auth0|${who.userId}`,
      iat,
      exp,
      email: who.email,
      email_verified: true,
      name: who.name,
      'https://api.openai.com/auth': auth,
    });
    const accessToken = jwt({
      iss: 'https://auth.openai.com',
      aud: ['https://api.openai.com/v1'],
      client_id: this.clientId,
      iat,
      exp,
      jti: randomUUID(),
      scp: SCOPE.split(' '),
      'https://api.openai.com/auth': { chatgpt_account_id: who.accountId, chatgpt_plan_type: who.plan, user_id: who.userId },
      'https://api.openai.com/profile': { email: who.email, email_verified: true },
    });
    const refreshToken = `rt_${randomBytes(36).toString('base64url')}`;
    this.access.set(accessToken, { who, expiresAt: ctx.now + this.accessExpiresIn * 1000 });
    this.refresh.set(refreshToken, who);
    sendJson(
      ctx,
      200,
      { id_token: idToken, access_token: accessToken, refresh_token: refreshToken, expires_in: this.accessExpiresIn, token_type: 'Bearer', scope: SCOPE },
      {},
    );
  }
}
