// Key endpoints the web UI needs beyond CRUD: a searchable, sortable page with usage per key (/admin/keys/search),
// tags with counts, batch create, renew and restore.
import type { FastifyInstance } from 'fastify';
import type { ApiKey } from '../../core/api-key.js';
import type { Clock } from '../../core/clock.js';
import { RelayError } from '../../core/errors.js';
import { bucketLabel, bucketStart } from '../../core/time-buckets.js';
import type { Granularity } from '../../core/usage-event.js';
import { addRow, emptyBlock, sealBlock, type UsageBlock } from '../../accounting/usage-analytics.js';
import type { ApiKeyService } from '../../services/api-keys.js';
import type { Store } from '../../store/types.js';
import { apiKeyView } from './api-keys.js';
import type { RouteDoc } from './route-docs.js';
import { apiKeyCreateSchema } from './schemas.js';
import { parseInput } from './validate.js';
import { keyBatchCreateSchema, keyRenewSchema, keySearchQuerySchema } from './web-schemas.js';

const DAY = 86_400_000;

interface Deps {
  store: Store;
  keys: ApiKeyService;
  clock: Clock;
  timezoneOffsetHours: number;
}

type KeyView = ReturnType<typeof apiKeyView> & { limits?: { ratio?: number }[]; tightest?: { ratio?: number } | null };

/** The highest used/limit ratio among a key's limits (0 when it has none): "closest to a limit". */
export function tightestRatio(v: KeyView): number {
  if (v.tightest && typeof v.tightest.ratio === 'number') return v.tightest.ratio;
  let max = 0;
  for (const l of v.limits ?? []) if (typeof l.ratio === 'number' && l.ratio > max) max = l.ratio;
  return max;
}

/** Usage per key over a range ending now: today (day bucket), 7/30 days (day buckets), all (months). */
async function usageByKey(store: Store, range: string, now: number, tz: number): Promise<Map<string, UsageBlock>> {
  const g: Granularity = range === 'all' ? 'month' : 'day';
  const today = bucketLabel(now, 'day', tz);
  const from = range === 'all' ? bucketLabel(now - 20 * 365 * DAY, 'month', tz) : range === 'today' ? today : bucketLabel(bucketStart(today, tz) - (range === '7d' ? 6 : 29) * DAY, 'day', tz);
  const rows = await store.usage.query({ granularity: g, fromBucket: from, toBucket: bucketLabel(now, g, tz) });
  const acc = new Map<string, ReturnType<typeof emptyBlock>>();
  for (const r of rows) {
    let b = acc.get(r.keyId);
    if (!b) acc.set(r.keyId, (b = emptyBlock()));
    addRow(b, r);
  }
  return new Map([...acc.entries()].map(([k, b]) => [k, sealBlock(b)]));
}

const ZERO = sealBlock(emptyBlock());

export function keyExtraRoutes(app: FastifyInstance, deps: Deps): void {
  const { store, keys, clock } = deps;
  const id = (p: unknown) => (p as { id: string }).id;

  app.get('/keys/search', async (request) => {
    const q = parseInput(keySearchQuerySchema, request.query);
    const now = clock.now();
    const wantTags = q.tag === undefined ? [] : Array.isArray(q.tag) ? q.tag : [q.tag];
    const [{ items }, usage] = await Promise.all([
      keys.list({ q: q.q, includeDeleted: q.status === 'deleted' }),
      usageByKey(store, q.usageRange, now, deps.timezoneOffsetHours),
    ]);
    let views = items
      .filter((k) => wantTags.every((t) => k.tags.includes(t)))
      .map((k) => ({ ...(apiKeyView(k, now) as KeyView), usage: usage.get(k.id) ?? ZERO }));
    if (q.status !== 'all') views = views.filter((v) => v.status === q.status);
    const by: Record<string, (a: (typeof views)[number], b: (typeof views)[number]) => number> = {
      name: (a, b) => a.name.localeCompare(b.name),
      '-createdAt': (a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''),
      '-lastUsedAt': (a, b) => (b.lastUsedAt ?? '').localeCompare(a.lastUsedAt ?? ''),
      '-cost': (a, b) => b.usage.costMicros - a.usage.costMicros,
      '-tightestLimit': (a, b) => tightestRatio(b) - tightestRatio(a),
      expiresAt: (a, b) => (a.expiresAt ?? '9999').localeCompare(b.expiresAt ?? '9999'),
    };
    views.sort((a, b) => by[q.sort](a, b) || a.name.localeCompare(b.name));
    return {
      items: views.slice((q.page - 1) * q.pageSize, q.page * q.pageSize),
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
    const input = parseInput(apiKeyCreateSchema, { ...settings, name: `${baseName}-${'1'.padStart(width, '0')}` });
    const out: { id: string; name: string; key: string }[] = [];
    for (let i = 1; i <= count; i++) {
      const name = `${baseName}-${String(i).padStart(width, '0')}`;
      const { record, key } = await keys.create({ ...input, name } as Parameters<ApiKeyService['create']>[0]);
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
    if (expiresAt !== null && expiresAt <= now) throw new RelayError('VALIDATION_FAILED', 'The new expiry is in the past', { details: [{ path: 'expiresAt', message: 'must be in the future' }] });
    return apiKeyView(await keys.update(cur.id, { expiresAt }), now);
  });

  app.post('/keys/:id/restore', async (request) => {
    const cur = await keys.get(id(request.params));
    if (cur.deletedAt === null) return apiKeyView(cur, clock.now());
    const k: ApiKey | null = await store.apiKeys.update(cur.id, { deletedAt: null, isActive: true, updatedAt: clock.now() });
    if (!k) throw new RelayError('NOT_FOUND', 'API key not found');
    return apiKeyView(k, clock.now());
  });
}

export const keyExtraDocs: RouteDoc[] = [
  { method: 'GET', path: '/admin/keys/search', tag: 'keys', summary: 'Keys filtered by text, tags and status, sorted (incl. closest to a limit), paged, each with a usage block for the range', query: keySearchQuerySchema },
  { method: 'GET', path: '/admin/keys/tags', tag: 'keys', summary: 'Tags in use with how many keys carry each' },
  { method: 'POST', path: '/admin/keys/batch-create', tag: 'keys', summary: 'Create 2–500 keys named base-001…; the keys are returned once', body: keyBatchCreateSchema },
  { method: 'POST', path: '/admin/keys/{id}/renew', tag: 'keys', summary: 'Extend the expiry by days, set a date, or never expire', body: keyRenewSchema },
  { method: 'POST', path: '/admin/keys/{id}/restore', tag: 'keys', summary: 'Undo a soft delete (the key works again)' },
];
