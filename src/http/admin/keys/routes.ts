// /admin/keys (also at /admin/api-keys): create (the key is returned once), list, read, edit, delete; and what the
// web UI needs beyond CRUD: a searchable, sortable page with usage per key, tags with counts, batch create, renew,
// restore and a counters reset.
import type { Clock } from '../../../core/clock.js';
import { RelayError } from '../../../core/errors.js';
import { emptyBlock, sealBlock } from '../../../accounting/usage-analytics.js';
import type { UsageQueries } from '../../../accounting/usage-queries.js';
import type { ApiKeyService } from '../../../keys/api-keys.js';
import type { KeyGate } from '../../../keys/key-gate.js';
import type { ApiKey } from '../../../core/api-key.js';
import { z } from 'zod';
import { idParams, queryFlag, routeBuilder } from '../route.js';
import { parseInput } from '../validate.js';
import {
  apiKeyCreateSchema,
  apiKeyPatchSchema,
  createdKeyView,
  keyBatchCreateSchema,
  keyBatchList,
  keyDetailView,
  keyList,
  keyRenewSchema,
  keySearchList,
  keySearchQuerySchema,
  keyTagList,
  keyView,
  listQuerySchema,
  splitKeyInput,
} from './schemas.js';
import { apiKeyView, attachLimits, tightestRatio, type KeyView } from './views.js';

interface Deps {
  keys: ApiKeyService;
  clock: Clock;
  usage: UsageQueries;
  gate: KeyGate;
}

const DAY = 86_400_000;
const ZERO = sealBlock(emptyBlock());
const route = routeBuilder<Deps>();
const tag = 'keys';

/** The key with its limit bars. */
const full = async (deps: Deps, k: ApiKey) => apiKeyView(k, deps.clock.now(), await deps.usage.limitUsage(k, deps.clock.now()));

export const keyRoutes = [
  route(
    { method: 'GET', path: '/keys', alsoAt: ['/api-keys'], tag, summary: 'Keys, paged (also at /admin/api-keys)', query: listQuerySchema, response: keyList },
    async ({ query: q }, deps) => {
      const { items, total } = await deps.keys.list({ q: q.q, includeDeleted: q.includeDeleted, offset: (q.page - 1) * q.pageSize, limit: q.pageSize });
      const now = deps.clock.now();
      return { items: (await deps.keys.withLastUsed(items)).map((k) => apiKeyView(k, now)), total, page: q.page, pageSize: q.pageSize };
    },
  ),
  route(
    {
      method: 'POST',
      created: true,
      path: '/keys',
      alsoAt: ['/api-keys'],
      tag,
      summary: 'Create a key: 201 with `key`, shown only in this answer',
      body: apiKeyCreateSchema,
      response: createdKeyView,
    },
    async ({ body, reply }, deps) => {
      const { base: fields, limits } = splitKeyInput(body);
      const { record, key } = await deps.keys.create({ ...fields, name: body.name, limits });
      return reply.code(201).send({ ...apiKeyView(record, deps.clock.now()), key });
    },
  ),
  route(
    { method: 'GET', path: '/keys/:id', alsoAt: ['/api-keys/:id'], tag, summary: 'One key (no secret)', params: idParams, response: keyDetailView },
    async ({ params }, deps) => full(deps, await deps.keys.get(params.id)),
  ),
  route(
    {
      method: 'PATCH',
      path: '/keys/:id',
      alsoAt: ['/api-keys/:id'],
      tag,
      summary: 'Edit a key (limits, tags, enable/disable, expiry …)',
      params: idParams,
      body: apiKeyPatchSchema,
      response: keyDetailView,
    },
    async ({ params, body }, deps) => {
      const { base: fields, limits } = splitKeyInput(body);
      return full(deps, await deps.keys.update(params.id, { ...fields, limits }));
    },
  ),
  route(
    {
      method: 'POST',
      path: '/keys/:id/reset-counters',
      alsoAt: ['/api-keys/:id/reset-counters'],
      tag,
      summary: 'Clear the key’s limit counters (window, daily, weekly, total) and leases; statistics and logs are kept',
      params: idParams,
      response: keyDetailView,
    },
    async ({ params }, deps) => {
      const k = await deps.keys.get(params.id);
      await deps.gate.resetCounters(k.id);
      return full(deps, k);
    },
  ),
  route(
    {
      method: 'DELETE',
      path: '/keys/:id',
      alsoAt: ['/api-keys/:id'],
      tag,
      // Two answers: the soft-deleted key (200, documented), or 204 with no body when permanent=true purges it.
      summary: 'Soft delete: the key as deleted (permanent=true purges: 204, no body)',
      params: idParams,
      query: z.object({ permanent: queryFlag }),
      response: keyView,
    },
    async ({ params, query, reply }, deps) => {
      if (query.permanent === 'true') {
        await deps.keys.purge(params.id);
        return reply.code(204).send();
      }
      return apiKeyView(await deps.keys.softDelete(params.id), deps.clock.now());
    },
  ),
  route(
    {
      method: 'GET',
      path: '/keys/search',
      tag,
      summary: 'Keys filtered by text, tags and status, sorted (incl. closest to a limit), paged, each with a usage block for the range',
      query: keySearchQuerySchema,
      response: keySearchList,
    },
    async ({ query: q }, deps) => {
      const { keys, usage: usageOf } = deps;
      const now = deps.clock.now();
      const wantTags = q.tag === undefined ? [] : Array.isArray(q.tag) ? q.tag : [q.tag];
      const [{ items }, usage] = await Promise.all([keys.list({ q: q.q, includeDeleted: q.status === 'deleted' }), usageOf.byKey(q.usageRange, now)]);
      let rows = (await keys.withLastUsed(items.filter((k) => wantTags.every((t) => k.tags.includes(t))))).map((k) => ({
        key: k,
        view: { ...(apiKeyView(k, now) as KeyView), usage: usage.get(k.id) ?? ZERO },
      }));
      // Limit bars cost a store call per key with limits: for the whole list only when the filter or sort needs them.
      const needAll = q.sort === '-tightestLimit' || q.status === 'exhausted';
      if (needAll) await attachLimits(usageOf, rows, now);
      if (q.status !== 'all') rows = rows.filter((r) => r.view.status === q.status);
      type Row = (typeof rows)[number];
      const by: Record<string, (a: Row['view'], b: Row['view']) => number> = {
        name: (a, b) => a.name.localeCompare(b.name),
        '-createdAt': (a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''),
        '-lastUsedAt': (a, b) => (b.lastUsedAt ?? '').localeCompare(a.lastUsedAt ?? ''),
        '-cost': (a, b) => b.usage.costMicros - a.usage.costMicros,
        '-tightestLimit': (a, b) => tightestRatio(b) - tightestRatio(a),
        expiresAt: (a, b) => (a.expiresAt ?? '9999').localeCompare(b.expiresAt ?? '9999'),
      };
      rows.sort((a, b) => by[q.sort](a.view, b.view) || a.view.name.localeCompare(b.view.name));
      const page = rows.slice((q.page - 1) * q.pageSize, q.page * q.pageSize);
      if (!needAll) await attachLimits(usageOf, page, now);
      return { items: page.map((r) => r.view), total: rows.length, page: q.page, pageSize: q.pageSize, usageRange: q.usageRange };
    },
  ),
  route({ method: 'GET', path: '/keys/tags', tag, summary: 'Tags in use with how many keys carry each', response: keyTagList }, async (_ctx, deps) => {
    const { items } = await deps.keys.list({});
    const counts = new Map<string, number>();
    for (const k of items) for (const t of k.tags) counts.set(t, (counts.get(t) ?? 0) + 1);
    return { items: [...counts.entries()].map(([tag, count]) => ({ tag, count })).sort((a, b) => b.count - a.count || a.tag.localeCompare(b.tag)) };
  }),
  route(
    {
      method: 'POST',
      created: true,
      path: '/keys/batch-create',
      tag,
      summary: 'Create 2–500 keys named base-001…; the keys are returned once',
      body: keyBatchCreateSchema,
      response: keyBatchList,
    },
    async ({ body: { baseName, count, settings }, reply }, deps) => {
      const width = Math.max(3, String(count).length);
      // Validate once with the single-create schema, so a batch accepts exactly what a single create accepts.
      const { base: fields, limits } = splitKeyInput(parseInput(apiKeyCreateSchema, { ...settings, name: `${baseName}-${'1'.padStart(width, '0')}` }));
      const out: { id: string; name: string; key: string }[] = [];
      for (let i = 1; i <= count; i++) {
        const name = `${baseName}-${String(i).padStart(width, '0')}`;
        const { record, key } = await deps.keys.create({ ...fields, limits, name });
        out.push({ id: record.id, name, key });
      }
      return reply.code(201).send({ items: out });
    },
  ),
  route(
    {
      method: 'POST',
      path: '/keys/:id/renew',
      tag,
      summary: 'Extend the expiry by days, set a date, or never expire',
      params: idParams,
      body: keyRenewSchema,
      response: keyView,
    },
    async ({ params, body }, deps) => {
      const cur = await deps.keys.get(params.id);
      const now = deps.clock.now();
      let expiresAt: number | null;
      if ('never' in body) expiresAt = null;
      else if ('expiresAt' in body) expiresAt = body.expiresAt;
      else expiresAt = Math.max(cur.expiresAt ?? now, now) + body.extendDays * DAY;
      if (expiresAt !== null && expiresAt <= now)
        throw new RelayError('VALIDATION_FAILED', 'The new expiry is in the past', { details: [{ path: 'expiresAt', message: 'must be in the future' }] });
      return apiKeyView(await deps.keys.update(cur.id, { expiresAt }), now);
    },
  ),
  route(
    { method: 'POST', path: '/keys/:id/restore', tag, summary: 'Undo a soft delete (the key works again)', params: idParams, response: keyView },
    async ({ params }, deps) => {
      const cur = await deps.keys.get(params.id);
      if (cur.deletedAt === null) return apiKeyView(cur, deps.clock.now());
      return apiKeyView(await deps.keys.restore(cur.id), deps.clock.now());
    },
  ),
];
