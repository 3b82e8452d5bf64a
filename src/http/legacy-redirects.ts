// Addresses of the reference project that people bookmarked, sent to their counterparts here (301): the key-holder
// page (`/apiStats`, `/admin-next/api-stats`) and the admin SPA (`/admin-next/…`). Only page loads (GET/HEAD);
// its JSON APIs have their own counterparts (/stats/api, /admin) and are not redirected.
import type { FastifyInstance } from 'fastify';

/** The reference SPA's routes → ours (CRS-REFERENCE.md §9). Anything else under /admin-next goes to /web/. */
const ADMIN_NEXT: Record<string, string> = {
  '': '/web/',
  'api-stats': '/web/stats',
  login: '/web/login',
  dashboard: '/web/',
  'api-keys': '/web/keys',
  accounts: '/web/accounts',
  'request-details': '/web/requests',
  settings: '/web/settings',
  // the LDAP user portal: a key holder's own usage is the closest page here
  'user-login': '/web/stats',
  'user-dashboard': '/web/stats',
};

/** Where a path under /admin-next goes (its first segment decides; deeper pages land on the list). */
export function adminNextTarget(rest: string): string {
  const first = rest.replace(/^\/+/, '').split(/[/?#]/)[0] ?? '';
  return ADMIN_NEXT[first] ?? '/web/';
}

export async function legacyRedirects(app: FastifyInstance): Promise<void> {
  // GET routes answer HEAD too (Fastify's exposeHeadRoutes).
  for (const url of ['/apiStats', '/apiStats/']) app.get(url, async (_request, reply) => reply.redirect('/web/stats', 301));
  for (const url of ['/admin-next', '/admin-next/']) app.get(url, async (_request, reply) => reply.redirect('/web/', 301));
  app.get('/admin-next/*', async (request, reply) => reply.redirect(adminNextTarget((request.params as { '*'?: string })['*'] ?? ''), 301));
}
