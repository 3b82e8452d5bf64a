// /admin/api-keys (also /admin/keys): create (the key is returned once), list, read, edit, delete.
import type { FastifyInstance } from 'fastify';
import { limitsToWire, withKeyDefaults, type ApiKey } from '../../core/api-key.js';
import type { Clock } from '../../core/clock.js';
import { apiKeyStatus, effectiveExpiry, type ApiKeyService } from '../../keys/api-keys.js';
import type { LimitUsage } from '../../accounting/limit-usage.js';
import type { UsageQueries } from '../../accounting/usage-queries.js';
import type { KeyGate } from '../../keys/key-gate.js';
import { apiKeyCreateSchema, apiKeyPatchSchema, listQuerySchema, splitKeyInput } from './schemas.js';
import { parseInput } from './validate.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * The key as the admin API shows it: settings flat, with the reference project's field names (what the create and
 * patch bodies take; cost limits in USD), and — when given — `limits`, each limit with its current use.
 */
export function apiKeyView(k: ApiKey, now: number, states?: LimitUsage[]) {
  const { activatedAt, ...settings } = limitsToWire(withKeyDefaults(k).limits);
  const tightest = states?.reduce<LimitUsage | null>((a, b) => (a === null || b.ratio > a.ratio ? b : a), null) ?? null;
  return {
    id: k.id,
    name: k.name,
    description: k.description,
    tags: k.tags,
    owner: k.owner,
    prefix: k.prefix,
    isActive: k.isActive,
    status: apiKeyStatus(k, now),
    expiresAt: iso(k.expiresAt),
    /** When it actually stops working (activation keys: first use + the period). */
    effectiveExpiresAt: iso(effectiveExpiry(k)),
    activatedAt: iso(activatedAt),
    ...settings,
    createdAt: iso(k.createdAt),
    updatedAt: iso(k.updatedAt),
    lastUsedAt: iso(k.lastUsedAt),
    deletedAt: iso(k.deletedAt),
    ...(states ? { limits: states, tightest: tightest ? { kind: tightest.kind, ratio: tightest.ratio } : null } : {}),
  };
}

export function apiKeyRoutes(app: FastifyInstance, deps: { keys: ApiKeyService; clock: Clock; usage: UsageQueries; gate: KeyGate }): void {
  const { keys, clock } = deps;
  const full = async (k: ApiKey) => apiKeyView(k, clock.now(), await deps.usage.limitUsage(k, clock.now()));
  for (const base of ['/api-keys', '/keys']) {
    app.post(base, async (request, reply) => {
      const { base: fields, limits } = splitKeyInput(parseInput(apiKeyCreateSchema, request.body));
      const { record, key } = await keys.create({ ...(fields as { name: string }), limits });
      return reply.code(201).send({ ...apiKeyView(record, clock.now()), key });
    });
    app.get(base, async (request) => {
      const q = parseInput(listQuerySchema, request.query);
      const { items, total } = await keys.list({ q: q.q, includeDeleted: q.includeDeleted, offset: (q.page - 1) * q.pageSize, limit: q.pageSize });
      const now = clock.now();
      return { items: (await keys.withLastUsed(items)).map((k) => apiKeyView(k, now)), total, page: q.page, pageSize: q.pageSize };
    });
    app.get(`${base}/:id`, async (request) => full(await keys.get((request.params as { id: string }).id)));
    app.patch(`${base}/:id`, async (request) => {
      const { base: fields, limits } = splitKeyInput(parseInput(apiKeyPatchSchema, request.body));
      return full(await keys.update((request.params as { id: string }).id, { ...fields, limits }));
    });
    // Clears the key's counters (window, daily, weekly, total) and leases; statistics and logs are kept.
    app.post(`${base}/:id/reset-counters`, async (request) => {
      const k = await keys.get((request.params as { id: string }).id);
      await deps.gate.resetCounters(k.id);
      return full(k);
    });
    app.delete(`${base}/:id`, async (request, reply) => {
      const id = (request.params as { id: string }).id;
      if ((request.query as { permanent?: string }).permanent === 'true') {
        await keys.purge(id);
        return reply.code(204).send();
      }
      return apiKeyView(await keys.softDelete(id), clock.now());
    });
  }
}
