// The admin API at /admin: every route requires an admin session (Authorization: Bearer <token>, or the web UI's
// session cookie) except the few marked public (login). The routes are declared in one list (openapi.ts), which
// both registers them here and generates /admin/openapi.json.
import type { FastifyInstance } from 'fastify';
import type { AdminDeps } from './deps.js';
import { useAdminErrors } from './errors.js';
import { ADMIN_ROUTES } from './openapi.js';
import { authenticateAdminRequest } from './system/session.js';

export type { AdminDeps } from './deps.js';

export async function adminApi(app: FastifyInstance, deps: AdminDeps): Promise<void> {
  useAdminErrors(app, deps.log, deps.requestMaxBytes);
  app.addHook('onRequest', async (request) => {
    // Bearer token (scripts) or the browser session cookie (+ CSRF header on mutations); public routes pass.
    request.admin = await authenticateAdminRequest(request, deps);
  });
  app.addHook('onSend', async (_request, reply) => {
    void reply.header('cache-control', 'no-store');
  });
  for (const r of ADMIN_ROUTES) r.register(app, deps);
}

declare module 'fastify' {
  interface FastifyRequest {
    admin?: { username: string; expiresAt: number; sid: string };
  }
}
