// Google's OAuth as Gemini CLI uses it (PROTOCOLS 3.4): `POST /token` (form-encoded, client_id + client_secret;
// authorization_code with PKCE, refresh_token without rotation), and the `ya29.` access tokens it issues, which are
// the only credentials Code Assist (`/v1internal:*`) accepts. `authorize()` plays the user and returns the code
// Google's authcode page shows (it contains a `/`, like real ones).
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TokenFailure } from './oauth.js';
import { type RequestContext, sendJson } from './respond.js';

export const GEMINI_CLIENT_ID = '681255809395-oo8ft2oprdrnp9e3aqf6av3hmdib135j.apps.googleusercontent.com';
export const GEMINI_REDIRECT_URI = 'https://codeassist.google.com/authcode';
/** The client secret the fake expects (point the relay's GEMINI_OAUTH_CLIENT_SECRET at it). */
export const FAKE_GEMINI_CLIENT_SECRET = 'fake-installed-app-secret';
const CODE_TTL_MS = 10 * 60_000;

interface IssuedCode {
  challenge: string;
  redirectUri: string;
  scope: string;
  email: string;
  issuedAt: number;
  used: boolean;
}

const s256 = (v: string): string => createHash('sha256').update(v).digest('base64url');
const b64url = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
const oauthError = (ctx: RequestContext, status: number, error: string, description: string): void =>
  sendJson(ctx, status, { error, error_description: description }, {});

export class FakeGoogleOAuth {
  clientId = GEMINI_CLIENT_ID;
  clientSecret = FAKE_GEMINI_CLIENT_SECRET;
  /** `expires_in` (seconds) of issued access tokens. */
  accessExpiresIn = 3599;
  tokenDelayMs = 0;
  /** Who signs in (the id token's email). */
  email = 'gemini-user@example.com';
  refreshCalls = 0;
  exchangeCalls = 0;

  private readonly codes = new Map<string, IssuedCode>();
  private readonly access = new Map<string, { expiresAt: number; email: string }>();
  private readonly refresh = new Map<string, { scope: string; email: string }>();
  private readonly failures: TokenFailure[] = [];

  /** Plays the user: checks the authorise URL like Google would and returns the code the authcode page shows. */
  authorize(authUrl: string): string {
    const q = new URL(authUrl).searchParams;
    const need = (name: string): string => {
      const v = q.get(name);
      if (!v) throw new Error(`fake-google-oauth: authorise URL lacks ${name}`);
      return v;
    };
    if (need('client_id') !== this.clientId) throw new Error(`fake-google-oauth: unknown client_id ${q.get('client_id')}`);
    if (need('response_type') !== 'code') throw new Error('fake-google-oauth: response_type must be code');
    if (need('code_challenge_method') !== 'S256') throw new Error('fake-google-oauth: code_challenge_method must be S256');
    if (need('access_type') !== 'offline') throw new Error('fake-google-oauth: access_type=offline is needed for a refresh token');
    const code = `4/0A${randomBytes(30).toString('base64url')}`;
    this.codes.set(code, {
      challenge: need('code_challenge'),
      redirectUri: need('redirect_uri'),
      scope: need('scope'),
      email: this.email,
      issuedAt: Date.now(),
      used: false,
    });
    need('state');
    return code;
  }

  failTokenEndpoint(f: TokenFailure): void {
    this.failures.push({ ...f, times: f.times ?? 1 });
  }

  /** Expires one issued access token now, or all of them. */
  expireAccessToken(token?: string): void {
    for (const [t, a] of this.access) if (token === undefined || t === token) a.expiresAt = Date.now() - 1;
  }

  isAccessTokenLive(token: string): boolean {
    const a = this.access.get(token);
    return a !== undefined && a.expiresAt > Date.now();
  }

  /** Checks a Code Assist bearer: only live tokens this fake issued pass. */
  authenticate(headers: Record<string, string>, now: number): { ok: true; token: string; email: string } | { ok: false } {
    const token = /^Bearer\s+(.+)$/i.exec(headers['authorization'] ?? '')?.[1]?.trim() ?? '';
    const a = this.access.get(token);
    return a && a.expiresAt > now ? { ok: true, token, email: a.email } : { ok: false };
  }

  reset(): void {
    this.codes.clear();
    this.access.clear();
    this.refresh.clear();
    this.failures.length = 0;
    this.refreshCalls = 0;
    this.exchangeCalls = 0;
    this.accessExpiresIn = 3599;
    this.tokenDelayMs = 0;
  }

  /** Answers `POST /token`; false for any other request. */
  async handle(ctx: RequestContext): Promise<boolean> {
    if (ctx.recorded.method !== 'POST' || ctx.recorded.path !== '/token') return false;
    const form = new URLSearchParams(ctx.recorded.body.toString('utf8'));
    const grant = form.get('grant_type');
    if (grant === 'refresh_token') this.refreshCalls++;
    if (grant === 'authorization_code') this.exchangeCalls++;
    if (this.tokenDelayMs) await sleep(this.tokenDelayMs);
    const f = this.failures[0];
    if (f) {
      if (--f.times! <= 0) this.failures.shift();
      const text = typeof f.body === 'string' ? f.body : JSON.stringify(f.body ?? { error: 'internal_failure', error_description: 'fake failure' });
      ctx.res.writeHead(f.status, { 'content-type': f.contentType ?? 'application/json', 'content-length': Buffer.byteLength(text) });
      ctx.res.end(text);
      return true;
    }
    if (!/^application\/x-www-form-urlencoded/i.test(ctx.recorded.headers['content-type'] ?? '')) {
      oauthError(ctx, 400, 'invalid_request', 'Invalid content type: expected application/x-www-form-urlencoded');
    } else if (form.get('client_id') !== this.clientId || form.get('client_secret') !== this.clientSecret) {
      oauthError(ctx, 401, 'invalid_client', 'The OAuth client was not found.');
    } else if (grant === 'authorization_code') this.exchange(ctx, form);
    else if (grant === 'refresh_token') this.rotate(ctx, form);
    else oauthError(ctx, 400, 'unsupported_grant_type', `Invalid grant_type: ${grant}`);
    return true;
  }

  private exchange(ctx: RequestContext, form: URLSearchParams): void {
    const c = this.codes.get(form.get('code') ?? '');
    if (!c || c.used || ctx.now - c.issuedAt > CODE_TTL_MS) return oauthError(ctx, 400, 'invalid_grant', 'Malformed auth code.');
    if (form.get('redirect_uri') !== c.redirectUri) return oauthError(ctx, 400, 'redirect_uri_mismatch', 'Bad Request');
    if (s256(form.get('code_verifier') ?? '') !== c.challenge) return oauthError(ctx, 400, 'invalid_grant', 'Invalid code verifier.');
    c.used = true;
    const refreshToken = `1//0${randomBytes(40).toString('base64url')}`;
    this.refresh.set(refreshToken, { scope: c.scope, email: c.email });
    this.issue(ctx, c.scope, c.email, refreshToken);
  }

  private rotate(ctx: RequestContext, form: URLSearchParams): void {
    const r = this.refresh.get(form.get('refresh_token') ?? '');
    if (!r) return oauthError(ctx, 400, 'invalid_grant', 'Token has been expired or revoked.');
    this.issue(ctx, r.scope, r.email, null); // Google keeps the refresh token: none in the answer
  }

  private issue(ctx: RequestContext, scope: string, email: string, refreshToken: string | null): void {
    const accessToken = `ya29.a0${randomBytes(60).toString('base64url')}`;
    this.access.set(accessToken, { expiresAt: ctx.now + this.accessExpiresIn * 1000, email });
    const idToken = `${b64url({ alg: 'RS256', kid: 'fake-google', typ: 'JWT' })}.${b64url({ iss: 'https://accounts.google.com', aud: this.clientId, sub: '1234567890', email, email_verified: true })}.${randomBytes(32).toString('base64url')}`;
    const body: Record<string, unknown> = { access_token: accessToken, expires_in: this.accessExpiresIn, scope, token_type: 'Bearer', id_token: idToken };
    if (refreshToken) body.refresh_token = refreshToken;
    sendJson(ctx, 200, body, {});
  }
}
