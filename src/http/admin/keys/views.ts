// How the admin API shows a key: settings flat (cost limits in USD), with its limit bars when asked for.
import { limitsToWire, withKeyDefaults, type ApiKey } from '../../../core/api-key.js';
import type { LimitUsage } from '../../../accounting/limit-usage.js';
import type { UsageQueries } from '../../../accounting/usage-queries.js';
import { apiKeyStatus, effectiveExpiry } from '../../../keys/api-keys.js';

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

export type KeyView = ReturnType<typeof apiKeyView> & { limits?: LimitUsage[]; tightest?: { kind: string; ratio: number } | null };

/** The highest used/limit ratio among a key's limits (0 when it has none): "closest to a limit". */
export function tightestRatio(v: KeyView): number {
  return v.tightest?.ratio ?? 0;
}

/** Adds each key's limit bars; an active key at or past a counted cap shows as exhausted. */
export async function attachLimits(usageOf: UsageQueries, rows: { key: ApiKey; view: KeyView }[], now: number): Promise<void> {
  await Promise.all(
    rows.map(async (r) => {
      const usage = await usageOf.limitUsage(r.key, now);
      Object.assign(r.view, apiKeyView(r.key, now, usage));
      if (r.view.status === 'active' && usage.some((u) => u.kind !== 'concurrency' && u.ratio >= 1)) (r.view as { status: string }).status = 'exhausted';
    }),
  );
}
