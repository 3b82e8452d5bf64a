// /admin/settings: the runtime settings sections (relay behaviour: the wait queue's defaults, stickiness, failover
// attempts and cooldowns; notifications; data retention), each with its defaults (some from the environment) and who
// changed it last. Every instance applies a change at once (change event `settings`), without a restart.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { RelayError } from '../../core/errors.js';
import { SECTION_NAMES, sectionPatchSchema, type SectionName } from '../../admin/settings-schemas.js';
import type { SettingsService } from '../../admin/settings.js';
import type { RouteDoc } from './route-docs.js';
import { parseInput } from './validate.js';

export function settingsRoutes(app: FastifyInstance, deps: { settings: SettingsService }): void {
  const { settings } = deps;
  const section = (p: unknown): SectionName => {
    const name = (p as { section: string }).section;
    if (!(SECTION_NAMES as string[]).includes(name)) throw new RelayError('NOT_FOUND', `No settings section ${name}; sections: ${SECTION_NAMES.join(', ')}`);
    return name as SectionName;
  };
  app.get('/settings', async () => Object.fromEntries(SECTION_NAMES.map((n) => [n, settings.view(n)])));
  app.get('/settings/:section', async (request) => settings.view(section(request.params)));
  app.patch('/settings/:section', async (request) => {
    const name = section(request.params);
    const patch = parseInput(sectionPatchSchema(name), request.body);
    return settings.patch(name, patch, request.admin?.username ?? 'admin');
  });
}

export const settingsDocs: RouteDoc[] = [
  { method: 'GET', path: '/admin/settings', tag: 'settings', summary: 'Every settings section: values, defaults, updatedAt, updatedBy' },
  { method: 'GET', path: '/admin/settings/{section}', tag: 'settings', summary: 'One settings section (relay, notifications, retention)' },
  {
    method: 'PATCH',
    path: '/admin/settings/{section}',
    tag: 'settings',
    summary:
      'Change fields of a section (null puts a field back to its default): relay (concurrency wait queue defaults; sticky-session TTL and renewal; failover attempts; cooldown seconds per failure class when the upstream gives no reset time — defaults from STICKY_*, FAILOVER_MAX_ATTEMPTS, COOLDOWN_*_SEC) or notifications (on/off, near-limit %, de-duplication window, store check interval, language) or retention (request-log days, pruned in the background); the body schema shown is the union of the three',
    body: z.union([sectionPatchSchema('relay'), sectionPatchSchema('notifications'), sectionPatchSchema('retention')]),
  },
];
