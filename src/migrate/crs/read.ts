// Reads the reference project's records from a key source into one snapshot: API keys with their usage hashes,
// accounts of every type (each with the type its key prefix says), and account groups with their members.
import type { CrsKeySource } from './source.js';

/** Account record types by key prefix (CRS-REFERENCE.md §2.1); the ones this relay has no kind for are counted. */
export const CRS_ACCOUNT_TYPES = {
  'claude:account:': 'claude',
  'claude_console_account:': 'claude-console',
  'openai:account:': 'openai',
  'openai_responses_account:': 'openai-responses',
  'gemini_account:': 'gemini',
  'gemini_api_account:': 'gemini-api',
} as const;
export type CrsAccountType = (typeof CRS_ACCOUNT_TYPES)[keyof typeof CRS_ACCOUNT_TYPES];

const UNSUPPORTED = { 'ccr_account:': 'CCR', 'bedrock_account:': 'AWS Bedrock', 'azure_openai:account:': 'Azure OpenAI', 'droid:account:': 'Droid' } as const;

export type CrsGranularity = 'hour' | 'day' | 'month' | 'alltime';

export interface CrsUsageHash {
  /** '' for the key-level hashes (no model dimension). */
  model: string;
  granularity: CrsGranularity;
  /** The relay's bucket label: `2026-07-20T14`, `2026-07-20`, `2026-07`; '' for alltime. */
  bucket: string;
  fields: Record<string, string>;
}

export interface CrsApiKey {
  id: string;
  fields: Record<string, string>;
  /** `usage:{id}`: lifetime totals. */
  total: Record<string, string> | null;
  /** `usage:cost:total:{id}`: lifetime rated cost in USD. */
  costTotal: number | null;
  usage: CrsUsageHash[];
}

export interface CrsAccount {
  type: CrsAccountType;
  id: string;
  fields: Record<string, string>;
}

export interface CrsGroup {
  id: string;
  fields: Record<string, string>;
  members: string[];
}

export interface CrsSnapshot {
  apiKeys: CrsApiKey[];
  accounts: CrsAccount[];
  groups: CrsGroup[];
  /** Account records of types this relay cannot serve, per type. */
  unsupported: { type: string; count: number }[];
}

const direct = (names: string[], prefix: string) => names.filter((n) => n.length > prefix.length && !n.slice(prefix.length).includes(':'));

/** `usage:{id}:model:{g}:{model}:{period}`, `usage:{id}:model:alltime:{model}`, `usage:{daily|monthly|hourly}:{id}:{period}`. */
function parseUsageKey(name: string, ids: Set<string>): { id: string; hash: Omit<CrsUsageHash, 'fields'> } | null {
  let m = /^usage:([^:]+):model:(daily|monthly|hourly|alltime):(.+)$/.exec(name);
  if (m && ids.has(m[1])) {
    const [, id, g, rest] = m;
    if (g === 'alltime') return { id, hash: { model: rest, granularity: 'alltime', bucket: '' } };
    const p =
      g === 'hourly'
        ? /^(.+):(\d{4}-\d{2}-\d{2}):(\d{2})$/.exec(rest)
        : g === 'daily'
          ? /^(.+):(\d{4}-\d{2}-\d{2})$/.exec(rest)
          : /^(.+):(\d{4}-\d{2})$/.exec(rest);
    if (!p) return null;
    const bucket = g === 'hourly' ? `${p[2]}T${p[3]}` : p[2];
    return { id, hash: { model: p[1], granularity: g === 'hourly' ? 'hour' : g === 'daily' ? 'day' : 'month', bucket } };
  }
  m = /^usage:(daily|monthly|hourly):([^:]+):(\d{4}-\d{2}(?:-\d{2})?)(?::(\d{2}))?$/.exec(name);
  if (m && ids.has(m[2])) {
    const [, g, id, period, hour] = m;
    const granularity = g === 'hourly' ? 'hour' : g === 'daily' ? 'day' : 'month';
    return { id, hash: { model: '', granularity, bucket: hour ? `${period}T${hour}` : period } };
  }
  return null;
}

export async function readSnapshot(src: CrsKeySource): Promise<CrsSnapshot> {
  const apiKeys: CrsApiKey[] = [];
  for (const name of direct(await src.keys('apikey:'), 'apikey:')) {
    if (name === 'apikey:hash_map') continue;
    const fields = await src.hash(name);
    if (!fields || !(fields.apiKey || fields.name)) continue;
    const id = fields.id || name.slice('apikey:'.length);
    const cost = await src.string(`usage:cost:total:${id}`);
    apiKeys.push({
      id,
      fields,
      total: await src.hash(`usage:${id}`),
      costTotal: cost !== null && Number.isFinite(Number(cost)) ? Number(cost) : null,
      usage: [],
    });
  }
  const byId = new Map(apiKeys.map((k) => [k.id, k]));
  const ids = new Set(byId.keys());
  for (const name of await src.keys('usage:')) {
    const p = parseUsageKey(name, ids);
    if (!p) continue;
    const fields = await src.hash(name);
    if (fields && Object.keys(fields).length) byId.get(p.id)!.usage.push({ ...p.hash, fields });
  }

  const accounts: CrsAccount[] = [];
  for (const [prefix, type] of Object.entries(CRS_ACCOUNT_TYPES)) {
    for (const name of direct(await src.keys(prefix), prefix)) {
      const fields = await src.hash(name);
      if (fields && Object.keys(fields).length) accounts.push({ type, id: fields.id || name.slice(prefix.length), fields });
    }
  }
  const unsupported: CrsSnapshot['unsupported'] = [];
  for (const [prefix, type] of Object.entries(UNSUPPORTED)) {
    const n = direct(await src.keys(prefix), prefix).length;
    if (n) unsupported.push({ type, count: n });
  }

  const groups: CrsGroup[] = [];
  for (const name of direct(await src.keys('account_group:'), 'account_group:')) {
    const fields = await src.hash(name);
    if (!fields) continue;
    const id = fields.id || name.slice('account_group:'.length);
    groups.push({ id, fields, members: await src.members(`account_group_members:${id}`) });
  }
  return { apiKeys, accounts, groups, unsupported };
}
