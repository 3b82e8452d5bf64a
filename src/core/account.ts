// Upstream accounts. Secrets are stored encrypted (platform/secrets); the record never holds plaintext.

/** Account kinds this build can relay through; each has an adapter in providers/registry.ts. */
export const ACCOUNT_KINDS = ['anthropic-api'] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

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
  createdAt: number;
  updatedAt: number;
  lastUsedAt: number | null;
}

export const DEFAULT_ACCOUNT_PRIORITY = 50;
