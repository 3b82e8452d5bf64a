// Key endpoints the web UI needs beyond CRUD: a searchable, sortable page with usage per key (/admin/keys/search),
// tags with counts, batch create, renew and restore.
import type { FastifyInstance } from 'fastify';
import type { ApiKey } from '../../core/api-key.js';
import type { Clock } from '../../core/clock.js';
import { RelayError } from '../../core/errors.js';
import type { LimitUsage } from '../../accounting/limit-usage.js';
import { emptyBlock, sealBlock } from '../../accounting/usage-analytics.js';
import type { UsageQueries } from '../../accounting/usage-queries.js';
import type { ApiKeyService } from '../../keys/api-keys.js';
import { apiKeyView } from './api-keys.js';
import type { RouteDoc } from './route-docs.js';
import { apiKeyCreateSchema, splitKeyInput } from './schemas.js';
import { parseInput } from './validate.js';
import { keyBatchCreateSchema, keyRenewSchema, keySearchQuerySchema } from './web-schemas.js';

const DAY = 86_400_000;

interface Deps {
  usage: UsageQueries;
  keys: ApiKeyService;
  clock: Clock;
}

type KeyView = ReturnType<typeof apiKeyView> & { limits?: LimitUsage[]; tightest?: { kind: string; ratio: number } | null };

/** The highest used/limit ratio among a key's limits (0 when it has none): "closest to a limit". */
export function tightestRatio(v: KeyView): number {
  return v.tightest?.ratio ?? 0;
}

/** Adds each key's limit bars; an active key at or past a counted cap shows as exhausted. */
async function attachLimits(usageOf: UsageQueries, rows: { key: ApiKey; view: KeyView }[], now: number): Promise<void> {
  await Promise.all(
    rows.map(async (r) => {
      const usage = await usageOf.limitUsage(r.key, now);
      Object.assign(r.view, apiKeyView(r.key, now, usage));
      if (r.view.status === 'active' && usage.some((u) => u.kind !== 'concurrency' && u.ratio >= 1)) (r.view as { status: string }).status = 'exhausted';
    }),
  );
}

const ZERO = sealBlock(emptyBlock());

export function keyExtraRoutes(app: FastifyInstance, deps: Deps): void {
  const { usage: usageOf, keys, clock } = deps;
  const id = (p: unknown) => (p as { id: string }).id;

  app.get('/keys/search', async (request) => {
    const q = parseInput(keySearchQuerySchema, request.query);
    const now = clock.now();
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
    const views = rows.map((r) => r.view);
    return {
      items: page.map((r) => r.view),
      total: views.length,
      page: q.page,
      pageSize: q.pageSize,
      usageRange: q.usageRange,
    };
  });

  app.get('/keys/tags', async () => {
    const { items } = await keys.list({});
    const counts = new Map<string, number>();
    for (const k of items) for (const t of k.tags) counts.set(t, (counts.get(t) ?? 0) + 1);
    return { items: [...counts.entries()].map(([tag, count]) => ({ tag, count })).sort((a, b) => b.count - a.count || a.tag.localeCompare(b.tag)) };
  });

  app.post('/keys/batch-create', async (request, reply) => {
    const { baseName, count, settings } = parseInput(keyBatchCreateSchema, request.body);
    const width = Math.max(3, String(count).length);
    // Validate once with the single-create schema, so a batch accepts exactly what a single create accepts.
    const { base: fields, limits } = splitKeyInput(parseInput(apiKeyCreateSchema, { ...settings, name: `${baseName}-${'1'.padStart(width, '0')}` }));
    const out: { id: string; name: string; key: string }[] = [];
    for (let i = 1; i <= count; i++) {
      const name = `${baseName}-${String(i).padStart(width, '0')}`;
      const { record, key } = await keys.create({ ...fields, limits, name });
      out.push({ id: record.id, name, key });
    }
    return reply.code(201).send({ items: out });
  });

  app.post('/keys/:id/renew', async (request) => {
    const body = parseInput(keyRenewSchema, request.body);
    const cur = await keys.get(id(request.params));
    const now = clock.now();
    let expiresAt: number | null;
    if ('never' in body) expiresAt = null;
    else if ('expiresAt' in body) expiresAt = body.expiresAt;
    else expiresAt = Math.max(cur.expiresAt ?? now, now) + body.extendDays * DAY;
    if (expiresAt !== null && expiresAt <= now)
      throw new RelayError('VALIDATION_FAILED', 'The new expiry is in the past', { details: [{ path: 'expiresAt', message: 'must be in the future' }] });
    return apiKeyView(await keys.update(cur.id, { expiresAt }), now);
  });

  app.post('/keys/:id/restore', async (request) => {
    const cur = await keys.get(id(request.params));
    if (cur.deletedAt === null) return apiKeyView(cur, clock.now());
    return apiKeyView(await keys.restore(cur.id), clock.now());
  });
}

export const keyExtraDocs: RouteDoc[] = [
  {
    method: 'GET',
    path: '/admin/keys/search',
    tag: 'keys',
    summary: 'Keys filtered by text, tags and status, sorted (incl. closest to a limit), paged, each with a usage block for the range',
    query: keySearchQuerySchema,
  },
  { method: 'GET', path: '/admin/keys/tags', tag: 'keys', summary: 'Tags in use with how many keys carry each' },
  {
    method: 'POST',
    path: '/admin/keys/batch-create',
    tag: 'keys',
    summary: 'Create 2–500 keys named base-001…; the keys are returned once',
    body: keyBatchCreateSchema,
  },
  { method: 'POST', path: '/admin/keys/{id}/renew', tag: 'keys', summary: 'Extend the expiry by days, set a date, or never expire', body: keyRenewSchema },
  { method: 'POST', path: '/admin/keys/{id}/restore', tag: 'keys', summary: 'Undo a soft delete (the key works again)' },
];
