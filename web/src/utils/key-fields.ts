// The key fields the server accepts (read from /admin/openapi.json, so the form follows the API), the payload built
// from the form's values, and the plain-language sentence for each limit.
import { ref } from 'vue';
import { api } from '../api/client';
import { fmtInt, fmtUsd } from './format';
import type { KeyAccess } from './snippets';

export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  properties?: Record<string, JsonSchema>;
}

export interface FieldInfo {
  name: string;
  kind: 'number' | 'integer' | 'boolean' | 'enum' | 'list' | 'string' | 'json';
  options?: string[];
  min?: number;
  max?: number;
  nullable: boolean;
}

/** Fields the key form edits itself (identity and fixed expiry). */
export const BASE_FIELDS = new Set(['name', 'description', 'tags', 'isActive', 'expiresAt']);

function describe(name: string, s: JsonSchema): FieldInfo {
  const variants = s.anyOf ?? [s];
  const nullable = variants.some((v) => v.type === 'null');
  const v = variants.find((x) => x.type !== 'null') ?? s;
  if (v.enum) return { name, kind: 'enum', options: v.enum.map(String), nullable };
  if (v.type === 'integer' || v.type === 'number') return { name, kind: v.type, min: v.minimum ?? v.exclusiveMinimum, max: v.maximum, nullable };
  if (v.type === 'boolean') return { name, kind: 'boolean', nullable };
  if (v.type === 'array' && (v.items?.type === 'string' || v.items?.enum)) return { name, kind: 'list', options: v.items?.enum?.map(String), nullable };
  if (v.type === 'string') return { name, kind: 'string', nullable };
  return { name, kind: 'json', nullable };
}

type Doc = { paths: Record<string, Partial<Record<string, { requestBody?: { content: Record<string, { schema: JsonSchema }> } }>>> };

/** The create (or patch) body's fields beyond the base ones, by name. */
export function useKeyFields(edit: () => boolean) {
  const fields = ref(new Map<string, FieldInfo>());
  async function load(): Promise<void> {
    try {
      const doc = await api.get<Doc>('/admin/openapi.json');
      const op = edit() ? doc.paths['/admin/keys/{id}']?.patch : doc.paths['/admin/keys']?.post;
      const props = op?.requestBody?.content['application/json']?.schema.properties ?? {};
      fields.value = new Map(
        Object.entries(props)
          .filter(([n]) => !BASE_FIELDS.has(n))
          .map(([n, s]) => [n, describe(n, s)]),
      );
    } catch {
      fields.value = new Map();
    }
  }
  return { fields, load };
}

/** Only what the server accepts; a cleared number means "no limit" (0). */
export function keyPayload(fields: Map<string, FieldInfo>, values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields.values()) {
    let v = values[f.name];
    if (v === undefined) continue;
    if (v === null && (f.kind === 'number' || f.kind === 'integer') && !f.nullable) v = 0;
    if (v === null && !f.nullable) continue;
    out[f.name] = v;
  }
  return out;
}

type T = (key: string, named?: Record<string, unknown>) => string;
const num = (v: unknown) => (typeof v === 'number' && v > 0 ? v : 0);
const DAYS = ['', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** One sentence per configured limit, in the current language, e.g. "At most $5.00 per day; resets at 00:00 UTC+08:00". */
export function limitSentences(v: Record<string, unknown>, t: T, tz: string): string[] {
  const out: string[] = [];
  const win = num(v.rateLimitWindow);
  if (win > 0) {
    const parts: string[] = [];
    if (num(v.rateLimitRequests)) parts.push(t('keyFields.s.requests', { n: fmtInt(num(v.rateLimitRequests)) }));
    if (num(v.tokenLimit)) parts.push(t('keyFields.s.tokens', { n: fmtInt(num(v.tokenLimit)) }));
    if (num(v.rateLimitCost)) parts.push(fmtUsd(num(v.rateLimitCost)));
    if (parts.length) out.push(t('keyFields.s.window', { m: win, parts: parts.join(', ') }));
  } else if (num(v.tokenLimit)) out.push(t('keyFields.s.tokenTotal', { n: fmtInt(num(v.tokenLimit)) }));
  if (num(v.concurrencyLimit)) out.push(t('keyFields.s.concurrency', { n: num(v.concurrencyLimit) }));
  if (num(v.dailyCostLimit)) out.push(t('keyFields.s.daily', { v: fmtUsd(num(v.dailyCostLimit)), tz }));
  if (num(v.weeklyOpusCostLimit)) {
    const day = t(`keyFields.day.${DAYS[num(v.weeklyResetDay) || 1]}`);
    const hour = String(num(v.weeklyResetHour)).padStart(2, '0');
    out.push(
      t('keyFields.s.weekly', { v: fmtUsd(num(v.weeklyOpusCostLimit)), family: t(`keyFields.family.${String(v.weeklyCostFamily ?? 'opus')}`), day, hour, tz }),
    );
  }
  if (num(v.totalCostLimit)) out.push(t('keyFields.s.total', { v: fmtUsd(num(v.totalCostLimit)) }));
  return out;
}

/** What the setup snippets need of a key's settings (flat, as the API takes them): its services and model restriction. */
export function keyAccess(v: Record<string, unknown>): KeyAccess {
  const nested = v.limits && typeof v.limits === 'object' && !Array.isArray(v.limits) ? (v.limits as Record<string, unknown>) : {};
  const f = { ...nested, ...v };
  const services = Array.isArray(f.permissions) ? (f.permissions as string[]).filter((s) => s !== 'all') : [];
  const list = Array.isArray(f.restrictedModels) ? (f.restrictedModels as string[]) : [];
  const models =
    f.enableModelRestriction === true && list.length ? { mode: f.modelRestrictionMode === 'whitelist' ? ('allow' as const) : ('deny' as const), list } : null;
  return { services, models };
}
