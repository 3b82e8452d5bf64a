// Admin operations on upstream accounts: validation of URLs and proxies, sealing of credentials, and the
// public view (which never contains a secret).
import { DEFAULT_ACCOUNT_PRIORITY, withAccountDefaults, type Account, type AccountKind } from '../core/account.js';
import type { Clock } from '../core/clock.js';
import { RelayError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Secrets } from '../platform/secrets.js';
import { adapterFor } from '../providers/registry.js';
import type { ProviderDefaults } from '../providers/types.js';
import type { Store } from '../store/types.js';
import { checkProxyUrl, checkUpstreamUrl } from './url-policy.js';

/** Settings an admin edits (every kind). */
export interface AccountSettingsInput {
  name?: string;
  description?: string;
  priority?: number;
  schedulable?: boolean;
  baseUrl?: string | null;
  proxy?: string | null;
  shared?: boolean;
  groupIds?: string[];
  supportedModels?: string[];
  modelMapping?: Record<string, string>;
  expiresAt?: number | null;
  maxConcurrency?: number;
}

export interface NewAccountInput extends AccountSettingsInput {
  kind: AccountKind;
  name: string;
  /** Provider credential fields (e.g. `{ apiKey }`), validated by the adapter's schema. */
  secrets: Record<string, unknown>;
}

export interface AccountPatchInput extends AccountSettingsInput {
  /** Replaces the credentials when present. */
  secrets?: Record<string, unknown>;
}

/** The account as the admin API shows it. */
export interface AccountView {
  id: string;
  kind: AccountKind;
  name: string;
  description: string;
  priority: number;
  schedulable: boolean;
  baseUrl: string;
  customBaseUrl: boolean;
  proxy: { type: string; host: string } | null;
  secretHint: string | null;
  /** Who the credentials belong to (OAuth kinds), when known. */
  identity: { email?: string; org?: string; plan?: string } | null;
  /** The provider's terms for this kind of account (OAuth kinds), stated plainly; English, the UI translates. */
  terms: string | null;
  shared: boolean;
  groupIds: string[];
  supportedModels: string[];
  modelMapping: Record<string, string>;
  expiresAt: string | null;
  maxConcurrency: number;
  createdAt: string;
  updatedAt: string;
  lastUsedAt: string | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export class AccountService {
  constructor(
    private readonly store: Store,
    private readonly secrets: Secrets,
    private readonly defaults: ProviderDefaults,
    private readonly clock: Clock,
  ) {}

  private sealSecrets(kind: AccountKind, raw: Record<string, unknown>): string {
    const parsed = adapterFor(kind).secretsSchema.safeParse(raw);
    if (!parsed.success) {
      throw new RelayError('VALIDATION_FAILED', 'Invalid account credentials', {
        details: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      });
    }
    return this.secrets.seal(JSON.stringify(parsed.data));
  }

  private sealProxy(proxy: string | null | undefined): string | null {
    if (!proxy) return null;
    return this.secrets.seal(checkProxyUrl(proxy));
  }

  async create(input: NewAccountInput): Promise<Account> {
    const now = this.clock.now();
    const account: Account = {
      id: newId(),
      kind: input.kind,
      name: input.name,
      description: input.description ?? '',
      priority: input.priority ?? DEFAULT_ACCOUNT_PRIORITY,
      schedulable: input.schedulable ?? true,
      baseUrl: input.baseUrl ? checkUpstreamUrl(input.baseUrl, adapterFor(input.kind).baseUrlSuffix ?? null) : null,
      secrets: this.sealSecrets(input.kind, input.secrets),
      proxy: this.sealProxy(input.proxy),
      shared: input.shared ?? true,
      groupIds: input.groupIds ?? [],
      supportedModels: input.supportedModels ?? [],
      modelMapping: input.modelMapping ?? {},
      expiresAt: input.expiresAt ?? null,
      maxConcurrency: input.maxConcurrency ?? 0,
      createdAt: now,
      updatedAt: now,
      lastUsedAt: null,
    };
    await this.store.accounts.create(account);
    return account;
  }

  async get(id: string): Promise<Account> {
    const a = await this.store.accounts.get(id);
    if (!a) throw new RelayError('NOT_FOUND', 'Account not found');
    return withAccountDefaults(a);
  }

  async list(): Promise<Account[]> {
    return (await this.store.accounts.list()).map(withAccountDefaults);
  }

  async update(id: string, patch: AccountPatchInput): Promise<Account> {
    const cur = await this.get(id);
    const next: Partial<Account> = { updatedAt: this.clock.now() };
    if (patch.name !== undefined) next.name = patch.name;
    if (patch.description !== undefined) next.description = patch.description;
    if (patch.priority !== undefined) next.priority = patch.priority;
    if (patch.schedulable !== undefined) next.schedulable = patch.schedulable;
    if (patch.baseUrl !== undefined) next.baseUrl = patch.baseUrl ? checkUpstreamUrl(patch.baseUrl, adapterFor(cur.kind).baseUrlSuffix ?? null) : null;
    if (patch.proxy !== undefined) next.proxy = this.sealProxy(patch.proxy);
    if (patch.secrets !== undefined) next.secrets = this.sealSecrets(cur.kind, patch.secrets);
    for (const f of ['shared', 'groupIds', 'supportedModels', 'modelMapping', 'expiresAt', 'maxConcurrency'] as const) {
      if (patch[f] !== undefined) (next as Record<string, unknown>)[f] = patch[f];
    }
    const a = await this.store.accounts.update(id, next);
    if (!a) throw new RelayError('NOT_FOUND', 'Account not found');
    return a;
  }

  async remove(id: string): Promise<void> {
    if (!(await this.store.accounts.remove(id))) throw new RelayError('NOT_FOUND', 'Account not found');
  }

  /** The public view; `lastUsedAt` may come fresher from the pool than from the record. */
  view(a: Account, lastUsedAt: number | null = a.lastUsedAt): AccountView {
    const adapter = adapterFor(a.kind);
    let secretHint: string | null = null;
    let identity: AccountView['identity'] = null;
    let proxy: AccountView['proxy'] = null;
    try {
      const secrets = adapter.secretsSchema.parse(JSON.parse(this.secrets.open(a.secrets)));
      secretHint = adapter.secretHint(secrets);
      identity = adapter.identity?.(secrets) ?? null;
      if (a.proxy) {
        const u = new URL(this.secrets.open(a.proxy));
        proxy = { type: u.protocol.replace(':', ''), host: u.host };
      }
    } catch {
      secretHint = null; // sealed with another ENCRYPTION_KEY: shown as unreadable
    }
    return {
      id: a.id,
      kind: a.kind,
      name: a.name,
      description: a.description,
      priority: a.priority,
      schedulable: a.schedulable,
      baseUrl: a.baseUrl ?? adapter.defaultBaseUrl(this.defaults),
      customBaseUrl: a.baseUrl !== null,
      proxy,
      secretHint,
      identity,
      terms: adapter.terms ?? null,
      shared: a.shared,
      groupIds: a.groupIds,
      supportedModels: a.supportedModels,
      modelMapping: a.modelMapping,
      expiresAt: iso(a.expiresAt),
      maxConcurrency: a.maxConcurrency,
      createdAt: iso(a.createdAt)!,
      updatedAt: iso(a.updatedAt)!,
      lastUsedAt: iso(Math.max(lastUsedAt ?? 0, a.lastUsedAt ?? 0) || null),
    };
  }
}
