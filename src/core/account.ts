// Upstream accounts. Secrets are stored encrypted (platform/secrets); the record never holds plaintext.

/** An account kind: the id of a provider adapter (providers/registry.ts holds the list). */
export type AccountKind = string;

export interface Account {
  id: string;
  kind: AccountKind;
  name: string;
  description: string;
  /** Lower is preferred. */
  priority: number;
  /** Off = never picked by the scheduler (manual pause). */
  schedulable: boolean;
  /** Upstream API root (no trailing slash, no /v1); null = the provider's default. */
  baseUrl: string | null;
  /** AES-256-GCM sealed JSON of the provider's credentials (e.g. `{apiKey}`). */
  secrets: string;
  /** AES-256-GCM sealed proxy URL (http://, https:// or socks5://), or null for a direct connection. */
  proxy: string | null;
  /** Shared accounts serve the pool; dedicated ones serve only keys bound to them (or to one of their groups). */
  shared: boolean;
  /** Account groups this account belongs to. */
  groupIds: string[];
  /** Models this account serves (compared after mapping); empty = any. */
  supportedModels: string[];
  /** Request model → model sent upstream (e.g. a vendor's own name for a Claude model). */
  modelMapping: Record<string, string>;
  /** Epoch ms after which the account is not routable; null = never. */
  expiresAt: number | null;
  /** Simultaneous requests this account takes (0 = no cap). */
  maxConcurrency: number;
  createdAt: number;
  updatedAt: number;
  lastUsedAt: number | null;
}

export const DEFAULT_ACCOUNT_PRIORITY = 50;

/** Fills fields that records written by older versions lack. */
export function withAccountDefaults(a: Account): Account {
  return {
    ...a,
    shared: a.shared ?? true,
    groupIds: a.groupIds ?? [],
    supportedModels: a.supportedModels ?? [],
    modelMapping: a.modelMapping ?? {},
    expiresAt: a.expiresAt ?? null,
    maxConcurrency: a.maxConcurrency ?? 0,
  };
}
