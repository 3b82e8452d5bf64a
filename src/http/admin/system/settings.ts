// /admin/settings: the runtime settings sections (relay behaviour: the wait queue's defaults, stickiness, failover
// attempts and cooldowns; notifications; data retention), each with its defaults (some from the environment) and who
// changed it last. Every instance applies a change at once (change event `settings`), without a restart.
import { z } from 'zod';
import { RelayError } from '../../../core/errors.js';
import { SECTION_NAMES, sectionPatchSchema, type SectionName } from '../../../admin/settings-schemas.js';
import type { SettingsService } from '../../../admin/settings.js';
import { routeBuilder } from '../route.js';
import { parseInput } from '../validate.js';
import { settingsSectionView, settingsView } from './answers.js';

const sectionParams = z.object({ section: z.string() });

function section(name: string): SectionName {
  if (!(SECTION_NAMES as string[]).includes(name)) throw new RelayError('NOT_FOUND', `No settings section ${name}; sections: ${SECTION_NAMES.join(', ')}`);
  return name as SectionName;
}

const route = routeBuilder<{ settings: SettingsService }>();
const tag = 'settings';

export const settingsRoutes = [
  route(
    { method: 'GET', path: '/settings', tag, summary: 'Every settings section: values, defaults, updatedAt, updatedBy', response: settingsView },
    async (_ctx, { settings }) => Object.fromEntries(SECTION_NAMES.map((n) => [n, settings.view(n)])),
  ),
  route(
    {
      method: 'GET',
      path: '/settings/:section',
      tag,
      summary: 'One settings section (relay, notifications, retention)',
      params: sectionParams,
      response: settingsSectionView,
    },
    async ({ params }, { settings }) => settings.view(section(params.section)),
  ),
  route(
    {
      method: 'PATCH',
      path: '/settings/:section',
      tag,
      summary:
        'Change fields of a section (null puts a field back to its default): relay (concurrency wait queue defaults; sticky-session TTL and renewal; failover attempts; cooldown seconds per failure class when the upstream gives no reset time — defaults from STICKY_*, FAILOVER_MAX_ATTEMPTS, COOLDOWN_*_SEC) or notifications (on/off, near-limit %, de-duplication window, store check interval, language) or retention (request-log days, pruned in the background); the body schema shown is the union of the three',
      params: sectionParams,
      // Validated in the handler with the section's own schema (an unknown section is a 404 first).
      bodyDoc: z.union([sectionPatchSchema('relay'), sectionPatchSchema('notifications'), sectionPatchSchema('retention')]),
      response: settingsSectionView,
    },
    async ({ params, request }, { settings }) => {
      const name = section(params.section);
      const patch = parseInput(sectionPatchSchema(name), request.body);
      return settings.patch(name, patch, request.admin?.username ?? 'admin');
    },
  ),
];
