// Admin login at /web/auth/login: `{username, password}` → `{token, expiresAt, username}`; attempts go through
// the login limiter (admin/login-limiter.ts) before the password is checked.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Logger } from '../platform/logger.js';
import type { AdminAuth } from '../admin/admin-auth.js';
import { useAdminErrors } from './admin/errors.js';
import { parseInput } from './admin/validate.js';

const loginSchema = z.object({
  username: z.string().min(1).max(100),
  password: z.string().min(1).max(1024),
});

/** Body cap of public routes (login, key-holder session): generous for a username and password or a key. */
export const PUBLIC_BODY_LIMIT = 16 * 1024;

export async function webAuth(app: FastifyInstance, deps: { auth: AdminAuth; log: Logger; requestMaxBytes: number }): Promise<void> {
  useAdminErrors(app, deps.log, deps.requestMaxBytes);
  // The answer carries a session token (and its errors a username's fate): never cached by a browser or proxy.
  app.addHook('onSend', async (_request, reply) => {
    void reply.header('cache-control', 'no-store');
  });
  // Public (no credentials yet): a login body is a few hundred bytes, so anything big is refused before it is read.
  app.post('/auth/login', { bodyLimit: PUBLIC_BODY_LIMIT }, async (request) => {
    const { username, password } = parseInput(loginSchema, request.body);
    const s = await deps.auth.login(username, password, request.ip);
    deps.log.info({ username: s.username, ip: request.ip }, 'admin login');
    return { token: s.token, username: s.username, expiresAt: new Date(s.expiresAt).toISOString() };
  });
}
