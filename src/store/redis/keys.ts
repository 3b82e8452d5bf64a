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
  usageAgg(granularity: string, bucket: string): string;
  request(requestId: string): string;
  readonly requests: string;
  requestsByKey(keyId: string): string;
  kv(key: string): string;
  /** Per-key limit state; one hash tag per key so a key's admission script touches one slot. */
  limit(keyId: string, part: string): string;
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
    usageAgg: (g, b) => `${p}{u}:agg:${g}:${b}`,
    request: (id) => `${p}{u}:req:${id}`,
    requests: `${p}{u}:reqs`,
    requestsByKey: (keyId) => `${p}{u}:reqs:key:${keyId}`,
    kv: (key) => `${p}kv:${key}`,
    limit: (keyId, part) => `${p}{k:${keyId}}:${part}`,
    kvNamespace: (ns) => `${p}kvns:${ns}`,
  };
}

/** Separator inside aggregate hash fields: `<keyId>\x1f<accountId>\x1f<model>\x1f<metric>`. */
export const FIELD_SEP = '\x1f';
