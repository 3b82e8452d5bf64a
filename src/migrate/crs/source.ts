// Where the reference project's data is read from, behind one small interface: its Redis (a URL and the key prefix
// it used, read with SCAN), a dump file of its keys (`{format:"crs-redis-dump", keys:{name:{type, value}}}`), or the
// JSON its data-transfer tool exports (`{metadata, data:{apiKeys, claudeAccounts, geminiAccounts, …}}`), turned into
// the same key layout (CRS-REFERENCE.md §2, §4.1, §6.2).
import { Redis } from 'ioredis';

/** Read-only access to the reference project's keys (names without its prefix). */
export interface CrsKeySource {
  /** Key names starting with `prefix`. */
  keys(prefix: string): Promise<string[]>;
  hash(key: string): Promise<Record<string, string> | null>;
  members(key: string): Promise<string[]>;
  string(key: string): Promise<string | null>;
  close(): Promise<void>;
  /** What the source is, for messages. */
  readonly label: string;
}

/** The reference project's Redis; `prefix` is the prefix of every key name there (none by default). */
export async function redisSource(url: string, prefix = ''): Promise<CrsKeySource> {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5000, enableOfflineQueue: false, retryStrategy: () => null });
  try {
    await r.connect();
  } catch (e) {
    r.disconnect();
    throw new Error(`cannot connect to the reference project's Redis at ${url.replace(/\/\/[^@/]*@/, '//***@')}: ${(e as Error).message}`);
  }
  const typed = async <T>(key: string, type: string, read: () => Promise<T>, empty: T): Promise<T> => ((await r.type(prefix + key)) === type ? read() : empty);
  return {
    label: `Redis ${url.replace(/\/\/[^@/]*@/, '//***@')}${prefix ? ` (prefix ${prefix})` : ''}`,
    async keys(p) {
      const out: string[] = [];
      let cursor = '0';
      // SCAN MATCH treats *?[] specially: escape them in the literal part.
      const pattern = (prefix + p).replace(/[*?[\]\\]/g, (c) => '\\' + c) + '*';
      do {
        const [next, batch] = await r.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        for (const k of batch) out.push(k.slice(prefix.length));
      } while (cursor !== '0');
      return [...new Set(out)].sort();
    },
    hash: (key) => typed(key, 'hash', async () => r.hgetall(prefix + key), null),
    members: (key) => typed(key, 'set', async () => r.smembers(prefix + key), [] as string[]),
    string: (key) => typed(key, 'string', async () => r.get(prefix + key), null),
    async close() {
      r.disconnect();
    },
  };
}

type DumpValue = { type: 'hash'; value: Record<string, string> } | { type: 'set'; value: string[] } | { type: 'string'; value: string };

/** A source over an in-memory key map (a dump file, or an export converted by {@link exportToKeys}). */
export function memorySource(keys: Map<string, DumpValue>, label: string): CrsKeySource {
  const names = [...keys.keys()].sort();
  const get = <T extends DumpValue['type']>(key: string, type: T) => {
    const v = keys.get(key);
    return v && v.type === type ? (v.value as Extract<DumpValue, { type: T }>['value']) : null;
  };
  return {
    label,
    async keys(p) {
      return names.filter((k) => k.startsWith(p));
    },
    async hash(key) {
      const h = get(key, 'hash');
      return h ? { ...h } : null;
    },
    async members(key) {
      return [...(get(key, 'set') ?? [])];
    },
    async string(key) {
      return get(key, 'string');
    },
    async close() {},
  };
}

const str = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
const strings = (o: Record<string, unknown>): Record<string, string> => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, str(v)]));

/** Record lists of an export and the key prefix each lives under in Redis. */
const EXPORT_LISTS: Record<string, string> = {
  claudeAccounts: 'claude:account:',
  claudeConsoleAccounts: 'claude_console_account:',
  geminiAccounts: 'gemini_account:',
  geminiApiAccounts: 'gemini_api_account:',
  openaiAccounts: 'openai:account:',
  openaiResponsesAccounts: 'openai_responses_account:',
};

/**
 * The key layout of an export document: API keys (with their `usageStats`: total, daily, monthly, hourly, and per
 * model daily/monthly), the account lists, and account groups (`accountGroups`, each with `members`) when present.
 */
export function exportToKeys(doc: unknown): Map<string, DumpValue> {
  const d = (doc as { data?: Record<string, unknown> })?.data;
  if (!d || typeof d !== 'object') throw new Error('not an export of the reference project: no "data" object');
  const out = new Map<string, DumpValue>();
  const hash = (key: string, o: Record<string, unknown>) => out.set(key, { type: 'hash', value: strings(o) });
  for (const k of (d.apiKeys as Record<string, unknown>[] | undefined) ?? []) {
    // The reference project's export is free-form JSON; its usage stats are read field by field below.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const { usageStats, ...fields } = k as Record<string, unknown> & { usageStats?: Record<string, any> };
    const id = str(fields.id);
    if (!id) continue;
    hash(`apikey:${id}`, fields);
    const u = usageStats ?? {};
    if (u.total && Object.keys(u.total).length) hash(`usage:${id}`, u.total);
    for (const [period, h] of Object.entries<Record<string, unknown>>(u.daily ?? {})) hash(`usage:daily:${id}:${period}`, h);
    for (const [period, h] of Object.entries<Record<string, unknown>>(u.monthly ?? {})) hash(`usage:monthly:${id}:${period}`, h);
    for (const [model, m] of Object.entries<Record<string, Record<string, Record<string, unknown>>>>(u.models ?? {})) {
      for (const g of ['daily', 'monthly', 'hourly', 'alltime'] as const) {
        if (g === 'alltime') {
          if (m.alltime && typeof m.alltime === 'object') hash(`usage:${id}:model:alltime:${model}`, m.alltime);
          continue;
        }
        for (const [period, h] of Object.entries(m[g] ?? {})) hash(`usage:${id}:model:${g}:${model}:${period}`, h);
      }
    }
    if (u.costTotal !== undefined) out.set(`usage:cost:total:${id}`, { type: 'string', value: str(u.costTotal) });
  }
  for (const [list, prefix] of Object.entries(EXPORT_LISTS)) {
    for (const a of (d[list] as Record<string, unknown>[] | undefined) ?? []) if (a && str(a.id)) hash(prefix + str(a.id), a);
  }
  for (const g of (d.accountGroups as Record<string, unknown>[] | undefined) ?? []) {
    const { members, ...fields } = g as Record<string, unknown> & { members?: unknown[] };
    if (!str(fields.id)) continue;
    hash(`account_group:${str(fields.id)}`, fields);
    out.set(`account_group_members:${str(fields.id)}`, { type: 'set', value: (members ?? []).map(str) });
  }
  return out;
}

/** A dump file (`crs-redis-dump`) or an export document, as a source. */
export function fileSource(doc: unknown, label: string): CrsKeySource {
  const o = doc as { format?: unknown; keys?: Record<string, DumpValue> } | null;
  if (o && o.format === 'crs-redis-dump' && o.keys && typeof o.keys === 'object') return memorySource(new Map(Object.entries(o.keys)), label);
  return memorySource(exportToKeys(doc), label);
}
