// Browser sessions for the web admin: POST/GET/DELETE /admin/session (an HttpOnly SameSite=Strict cookie, with
// a CSRF header required on mutations) and PUT /admin/me/password. Bearer tokens keep working for scripts.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../../core/clock.js';
import { RelayError } from '../../../core/errors.js';
import type { AdminAuth, AdminSession } from '../../../admin/admin-auth.js';
import { routeBuilder } from '../route.js';
import { loginView, sessionHintsView, sessionView } from './answers.js';
import { loginSchema, logoutQuerySchema, passwordChangeSchema } from './schemas.js';

export const SESSION_COOKIE = 'crs_admin';
const COOKIE_PATH = '/admin';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

interface SessionDeps {
  auth: AdminAuth;
  clock: Clock;
  /** The relay's configuration when the composition root passes it (to tell whether init.json is in use). */
  config?: { dataDir?: string; admin?: unknown };
}

const sha = (s: string) => createHash('sha256').update(s).digest('base64url');

/** The CSRF token of a session: derived from the cookie's token, which a cross-site page cannot read. */
export function csrfFor(token: string): string {
  return sha('csrf:' + token).slice(0, 32);
}

/** The cookie's value, or undefined when absent or not decodable (a malformed cookie is no session, never a 500). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

function setCookie(reply: FastifyReply, request: FastifyRequest, value: string, maxAgeSec: number): void {
  // Secure only over HTTPS: a Secure cookie set over a plain-HTTP intranet link is dropped and login would loop.
  const secure = request.protocol === 'https' ? '; Secure' : '';
  void reply.header(
    'set-cookie',
    `${SESSION_COOKIE}=${encodeURIComponent(value)}; Path=${COOKIE_PATH}; Max-Age=${maxAgeSec}; HttpOnly; SameSite=Strict${secure}`,
  );
}

/**
 * Authenticates an admin request: `Authorization: Bearer` (scripts, CLI) or the session cookie (browser). Either
 * token names a server-side session that must still be live; a cookie mutation must also carry `x-csrf-token`.
 */
export async function authenticateAdminRequest(request: FastifyRequest, deps: SessionDeps): Promise<AdminSession | undefined> {
  if ((request.routeOptions.config as { public?: boolean } | undefined)?.public) return undefined;
  if (request.headers.authorization) return deps.auth.authenticate(request.headers.authorization);
  const token = readCookie(request.headers.cookie, SESSION_COOKIE);
  if (!token) throw new RelayError('ADMIN_UNAUTHORIZED');
  const session = await deps.auth.authenticate(`Bearer ${token}`);
  if (!SAFE_METHODS.has(request.method) && request.headers['x-csrf-token'] !== csrfFor(token)) throw new RelayError('CSRF_FAILED');
  return session;
}

const route = routeBuilder<SessionDeps>();
const tag = 'session';

export const sessionRoutes = [
  route(
    {
      method: 'POST',
      path: '/session',
      tag,
      summary: 'Log in: sets the HttpOnly session cookie; returns the CSRF token for mutations',
      body: loginSchema,
      public: true,
      responses: { '401': 'LOGIN_FAILED', '429': 'LOGIN_RATE_LIMITED with retryAfterSec' },
      response: loginView,
    },
    async ({ body: { username, password }, request, reply }, { auth, clock }) => {
      const s = await auth.login(username, password, request.ip);
      const ttl = Math.max(1, s.expiresAt - clock.now());
      setCookie(reply, request, s.token, Math.floor(ttl / 1000));
      request.log.info({ username: s.username, ip: request.ip }, 'admin session opened');
      return {
        username: s.username,
        expiresAt: new Date(s.expiresAt).toISOString(),
        csrfToken: csrfFor(s.token),
        mustChangePassword: await auth.mustChangePassword(s.username),
      };
    },
  ),
  route(
    {
      method: 'GET',
      path: '/session/hints',
      tag,
      summary: 'Login-page hints (whether to point at data/app/init.json)',
      public: true,
      response: sessionHintsView,
    },
    async (_ctx, { auth, config: c }) => {
      // Point at init.json only while generated credentials are in use: no password from the environment, the file exists,
      // and nobody changed the password through the UI yet.
      const generated =
        c === undefined ||
        (!(c.admin as { password?: unknown } | null | undefined)?.password && c.dataDir !== undefined && existsSync(join(c.dataDir, 'app', 'init.json')));
      return { initFileHint: generated && !(await auth.passwordChangedInUi()) };
    },
  ),
  route(
    { method: 'GET', path: '/session', tag, summary: 'Who is signed in, session expiry, CSRF token, mustChangePassword', response: sessionView },
    async ({ request }, { auth }) => {
      const token = request.headers.authorization ? undefined : readCookie(request.headers.cookie, SESSION_COOKIE);
      const admin = request.admin!;
      return {
        username: admin.username,
        expiresAt: new Date(admin.expiresAt).toISOString(),
        via: token ? 'cookie' : 'bearer',
        csrfToken: token ? csrfFor(token) : null,
        mustChangePassword: await auth.mustChangePassword(admin.username),
      };
    },
  ),
  route(
    {
      method: 'DELETE',
      path: '/session',
      tag,
      summary: 'Log out: ends this session, cookie or bearer token (all=true ends every session of this admin)',
      query: logoutQuerySchema,
      noContent: true,
    },
    async ({ query: { all }, request, reply }, { auth }) => {
      const admin = request.admin!;
      // The session this request came with (cookie or bearer token) ends; with all=true every session of this admin.
      if (all === 'true') await auth.logoutAll(admin.username);
      else await auth.logout(admin.sid);
      setCookie(reply, request, '', 0);
      return reply.code(204).send();
    },
  ),
  route(
    {
      method: 'PUT',
      path: '/me/password',
      tag,
      summary: 'Change the admin password (every other session of this admin ends)',
      body: passwordChangeSchema,
      noContent: true,
    },
    async ({ body: { currentPassword, newPassword }, request, reply }, { auth }) => {
      const { username, sid } = request.admin!;
      if (!(await auth.checkUserPassword(username, currentPassword))) {
        throw new RelayError('VALIDATION_FAILED', 'The current password is wrong', { details: [{ path: 'currentPassword', message: 'is wrong' }] });
      }
      // Every other session of this admin (browser or bearer token) ends; this one stays signed in.
      await auth.setPassword(username, newPassword, sid);
      await auth.markPasswordChangedInUi();
      request.log.info({ username }, 'admin password changed');
      return reply.code(204).send();
    },
  ),
];
