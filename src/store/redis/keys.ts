// Every Redis key name the relay uses, in one place. Keys touched together by one Lua script share a
// hash tag ({u} for usage) so scripts stay valid on Redis Cluster.

export interface RedisKeys {
  readonly changes: string;
  admin(username: string): string;
  readonly admins: string;
  apiKey(id: string): string;
  apiKeyHash(hash: string): string;
  readonly apiKeys: string;
  account(id: string): string;
  readonly accounts: string;
  readonly accountLastUsed: string;
  group(id: string): string;
  /** Set of group ids. */
  readonly groups: string;
  oauthSession(id: string): string;
  adminSession(sid: string): string;
  /** Index of admin sessions: sorted set of sids scored by expiry (trimmed on every write: live sessions only). */
  readonly adminSessions: string;
  usageAgg(granularity: string, bucket: string): string;
  request(requestId: string): string;
  readonly requests: string;
  requestsByKey(keyId: string): string;
  kv(key: string): string;
  /** Per-key limit state; one hash tag per key so a key's admission script touches one slot. */
  limit(keyId: string, part: string): string;
  /** Concurrency slots (leases) of an account with a cap. */
  accountSlots(accountId: string): string;
  /** Index of kv keys of one namespace (the part of the key before its first ':'), for scan(). */
  kvNamespace(namespace: string): string;
}

export function redisKeys(prefix: string): RedisKeys {
  const p = prefix;
  return {
    changes: `${p}changes`,
    admin: (u) => `${p}admin:${u}`,
    admins: `${p}admins`,
    apiKey: (id) => `${p}key:${id}`,
    apiKeyHash: (h) => `${p}key-hash:${h}`,
    apiKeys: `${p}keys`,
    account: (id) => `${p}account:${id}`,
    accounts: `${p}accounts`,
    accountLastUsed: `${p}account-last-used`,
    group: (id) => `${p}group:${id}`,
    groups: `${p}groups`,
    oauthSession: (id) => `${p}oauth-session:${id}`,
    adminSession: (sid) => `${p}admin-session:${sid}`,
    adminSessions: `${p}admin-sessions`,
    usageAgg: (g, b) => `${p}{u}:agg:${g}:${b}`,
    request: (id) => `${p}{u}:req:${id}`,
    requests: `${p}{u}:reqs`,
    requestsByKey: (keyId) => `${p}{u}:reqs:key:${keyId}`,
    kv: (key) => `${p}kv:${key}`,
    limit: (keyId, part) => `${p}{k:${keyId}}:${part}`,
    kvNamespace: (ns) => `${p}kvns:${ns}`,
    accountSlots: (id) => `${p}account-slots:${id}`,
  };
}

/**
 * Where earlier versions kept entities in the kv space (kv keys, before `RedisKeys.kv`): the store moves what it
 * finds there to the entities' own keys when it opens (legacy-kv.ts). Each is a kv namespace (the part before the
 * first ':') and the key prefix of its entries.
 */
export const LEGACY_KV = {
  groups: { namespace: 'group', prefix: 'group:' },
  oauthSessions: { namespace: 'oauth', prefix: 'oauth:session:' },
  adminSessions: { namespace: 'adminsession', prefix: 'adminsession:' },
} as const;

/** Separator inside aggregate hash fields: `<keyId>\x1f<accountId>\x1f<model>\x1f<metric>`. */
export const FIELD_SEP = '\x1f';

/**
 * One component of an aggregate field, escaped: `%` and every control character (the separator among them) as
 * `%XX`. A model name is client text; unescaped, one holding the separator could spell another row's field (a
 * key's cost overwritten). Escaped, fields are injective; names without `%` or control characters (all real ones,
 * and every field written before this escaping) read back unchanged.
 */
export function escapeFieldPart(s: string): string {
  return s.replace(/[%\x00-\x1f\x7f]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
}

function unescapeFieldPart(s: string): string {
  return s.replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** The field prefix of one (key, account, model) row; the metric name follows it. */
export function aggFieldPrefix(keyId: string, accountId: string, model: string): string {
  return [keyId, accountId, model].map(escapeFieldPart).join(FIELD_SEP) + FIELD_SEP;
}

/** Reads an aggregate field back; null for a field that is not one (never merged into a row). */
export function parseAggField(field: string): { row: string; keyId: string; accountId: string; model: string; metric: string } | null {
  const parts = field.split(FIELD_SEP);
  if (parts.length !== 4) return null;
  const [keyId, accountId, model] = parts.slice(0, 3).map(unescapeFieldPart);
  return { row: parts.slice(0, 3).join(FIELD_SEP), keyId, accountId, model, metric: parts[3] };
}
