// Admin login at /web/auth/login: `{username, password}` → `{token, expiresAt, username}`; attempts go through
// the login limiter (admin/login-limiter.ts) before the password is checked.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Logger } from '../platform/logger.js';
import type { AdminAuth } from '../admin/admin-auth.js';
import { isoTime } from './admin/answers.js';
import { useAdminErrors } from './admin/errors.js';
import { routeBuilder } from './admin/route.js';

const loginSchema = z.object({
  username: z.string().min(1).max(100),
  password: z.string().min(1).max(1024),
});

/** POST /web/auth/login: a bearer token for scripts, who it belongs to and when it expires. */
export const loginTokenView = z.object({ token: z.string(), username: z.string(), expiresAt: isoTime });

/** Body cap of public routes (login, key-holder session): generous for a username and password or a key. */
export const PUBLIC_BODY_LIMIT = 16 * 1024;

interface Deps {
  auth: AdminAuth;
  log: Logger;
  requestMaxBytes: number;
}

/** The login route (documented in /admin/openapi.json with the admin routes). */
export const WEB_AUTH_ROUTES = [
  routeBuilder<Deps>()(
    {
      method: 'POST',
      path: '/auth/login',
      tag: 'session',
      summary: 'Log in for scripts: returns a bearer token (no cookie)',
      public: true,
      // Public (no credentials yet): a login body is a few hundred bytes, so anything big is refused before it is read.
      bodyLimit: PUBLIC_BODY_LIMIT,
      body: loginSchema,
      response: loginTokenView,
    },
    async ({ body: { username, password }, request }, deps) => {
      const s = await deps.auth.login(username, password, request.ip);
      deps.log.info({ username: s.username, ip: request.ip }, 'admin login');
      return { token: s.token, username: s.username, expiresAt: new Date(s.expiresAt).toISOString() };
    },
  ),
];

export async function webAuth(app: FastifyInstance, deps: Deps): Promise<void> {
  useAdminErrors(app, deps.log, deps.requestMaxBytes);
  // The answer carries a session token (and its errors a username's fate): never cached by a browser or proxy.
  app.addHook('onSend', async (_request, reply) => {
    void reply.header('cache-control', 'no-store');
  });
  for (const r of WEB_AUTH_ROUTES) r.register(app, deps);
}
