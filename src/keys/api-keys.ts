// Relay API keys: creation (the plaintext is returned once), lookup by HMAC through an in-memory cache that
// store change events invalidate (on every instance), and the admin operations.
import { randomBytes } from 'node:crypto';
import { pastUse } from '../accounting/limits.js';
import {
  API_KEY_PREFIX,
  DEFAULT_LIMITS,
  keyDisplayPrefix,
  needsAdmission,
  withKeyDefaults,
  type ApiKey,
  type ApiKeyLimits,
  type ApiKeyPatch,
} from '../core/api-key.js';
import type { Clock } from '../core/clock.js';
import { RelayError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Secrets } from '../platform/secrets.js';
import type { ApiKeyListQuery, Store } from '../store/types.js';
import { LegacyKeys } from './legacy-keys.js';

export interface NewApiKeyInput {
  name: string;
  description?: string;
  tags?: string[];
  isActive?: boolean;
  expiresAt?: number | null;
  owner?: string;
  limits?: Partial<ApiKeyLimits>;
}

/** Where a key stands right now. */
export type ApiKeyStatus = 'active' | 'disabled' | 'expired' | 'deleted' | 'not_activated';

export function apiKeyStatus(k: ApiKey, now: number): ApiKeyStatus {
  if (k.deletedAt !== null) return 'deleted';
  if (!k.isActive) return 'disabled';
  const exp = effectiveExpiry(k);
  if (exp !== null && exp <= now) return 'expired';
  if (k.limits?.expirationMode === 'activation' && k.limits.activatedAt === null) return 'not_activated';
  return 'active';
}

/** When the key stops working: the fixed expiry, or first use + the activation period. */
export function effectiveExpiry(k: ApiKey): number | null {
  const l = k.limits;
  if (l?.expirationMode === 'activation') {
    if (l.activatedAt === null || l.activationDays <= 0) return null;
    return l.activatedAt + l.activationDays * (l.activationUnit === 'hours' ? 3_600_000 : 86_400_000);
  }
  return k.expiresAt;
}

/** Cross-field rules of key settings (the schema checks each field). Returns field problems. */
export function limitProblems(l: ApiKeyLimits, expiresAt: number | null): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  if (l.expirationMode === 'activation') {
    if (l.activationDays <= 0) out.push({ path: 'activationDays', message: 'must be a positive number in activation mode' });
    if (expiresAt !== null) out.push({ path: 'expiresAt', message: 'cannot be set in activation mode (expiry starts at first use)' });
  }
  if ((l.rateLimitRequests > 0 || l.rateLimitCostNanos > 0) && l.rateLimitWindow <= 0) {
    out.push({ path: 'rateLimitWindow', message: 'must be set (minutes) when rateLimitRequests or rateLimitCost is set' });
  }
  if (l.enableClientRestriction && l.allowedClients.length === 0)
    out.push({ path: 'allowedClients', message: 'must list at least one client when the restriction is on' });
  return out;
}

interface CacheEntry {
  key: ApiKey | null;
  at: number;
}

/** Positive entries are re-read after this long even without a change event (a missed broadcast heals). */
const POSITIVE_TTL_MS = 30_000;
/** Unknown keys are remembered briefly so a flood of bad keys does not reach the store each time. */
const NEGATIVE_TTL_MS = 1_000;
const MAX_CACHE = 100_000;

export class ApiKeyService {
  private readonly cache = new Map<string, CacheEntry>();
  /** Presented key → its hash, for keys that exist: the HMAC is the largest fixed cost of a request's admission. */
  private readonly hashes = new Map<string, string>();
  private readonly legacy: LegacyKeys;

  constructor(
    private readonly store: Store,
    private readonly secrets: Secrets,
    private readonly clock: Clock,
    private readonly timezoneOffsetHours = 8,
  ) {
    this.legacy = new LegacyKeys(store, secrets, clock);
    store.onChange((e) => {
      if (e.entity === '*') this.cache.clear();
      else if (e.entity === 'apiKey') this.invalidate(e.id);
    });
  }

  private invalidate(id: string | undefined): void {
    for (const [hash, entry] of this.cache) {
      if (entry.key === null || id === undefined || entry.key.id === id) this.cache.delete(hash);
    }
  }

  /** Creates a key; the plaintext is in the result and nowhere else, ever. */
  async create(input: NewApiKeyInput): Promise<{ record: ApiKey; key: string }> {
    const key = API_KEY_PREFIX + randomBytes(32).toString('hex');
    const now = this.clock.now();
    const limits: ApiKeyLimits = { ...DEFAULT_LIMITS, ...input.limits, activatedAt: null };
    this.check(limits, input.expiresAt ?? null);
    const record: ApiKey = {
      id: newId(),
      name: input.name,
      description: input.description ?? '',
      tags: input.tags ?? [],
      hash: this.secrets.hashApiKey(key),
      prefix: keyDisplayPrefix(key),
      isActive: input.isActive ?? true,
      expiresAt: input.expiresAt ?? null,
      createdAt: now,
      updatedAt: now,
      lastUsedAt: null,
      deletedAt: null,
      owner: input.owner ?? '',
      limits,
    };
    await this.store.apiKeys.create(record);
    return { record, key };
  }

  /** Resolves a presented key to its record, or throws the 401 the client should see. */
  async authenticate(presented: string | undefined): Promise<ApiKey> {
    if (!presented) throw new RelayError('KEY_MISSING');
    if (presented.length < 10 || presented.length > 512) throw new RelayError('KEY_INVALID', 'Invalid API key format');
    const hash = this.hashes.get(presented) ?? this.secrets.hashApiKey(presented);
    const now = this.clock.now();
    let entry = this.cache.get(hash);
    if (!entry || now - entry.at > (entry.key ? POSITIVE_TTL_MS : NEGATIVE_TTL_MS)) {
      // A miss may be a key imported from the reference project, presented for the first time (legacy-keys.ts).
      const found = (await this.store.apiKeys.getByHash(hash)) ?? (await this.legacy.claim(presented, hash));
      const key = found ? withKeyDefaults(found) : null;
      if (this.cache.size >= MAX_CACHE) this.cache.clear();
      entry = { key, at: now };
      this.cache.set(hash, entry);
    }
    const key = entry.key;
    if (!key) throw new RelayError('KEY_INVALID', 'API key not found');
    if (!this.hashes.has(presented)) {
      if (this.hashes.size >= MAX_CACHE) this.hashes.clear();
      this.hashes.set(presented, hash);
    }
    switch (apiKeyStatus(key, now)) {
      case 'not_activated':
        return this.activate(key, now);
      case 'deleted':
        throw new RelayError('KEY_INVALID', 'API key not found');
      case 'disabled':
        throw new RelayError('KEY_DISABLED');
      case 'expired':
        throw new RelayError('KEY_EXPIRED');
      default:
        return key;
    }
  }

  /** First use of an activation-mode key: its expiry starts now (once, even with concurrent first requests). */
  private async activate(key: ApiKey, now: number): Promise<ApiKey> {
    const fresh = withKeyDefaults((await this.store.apiKeys.get(key.id)) ?? key);
    if (fresh.limits.activatedAt !== null) return fresh; // another request (or instance) got there first
    const updated = await this.store.apiKeys.update(key.id, { limits: { ...fresh.limits, activatedAt: now } });
    return updated ? withKeyDefaults(updated) : fresh;
  }

  private check(limits: ApiKeyLimits, expiresAt: number | null): void {
    const problems = limitProblems(limits, expiresAt);
    if (problems.length) {
      throw new RelayError('VALIDATION_FAILED', 'Validation failed: ' + problems.map((p) => `${p.path}: ${p.message}`).join('; '), { details: problems });
    }
  }

  /**
   * Keys with `lastUsedAt` filled from the request log (the newest request of each key), so the hot path never
   * writes the key record just to say it was used.
   */
  async withLastUsed(keys: ApiKey[]): Promise<ApiKey[]> {
    const newest = await Promise.all(keys.map((k) => this.store.usage.recentRequests(1, { keyId: k.id })));
    return keys.map((k, i) => (newest[i][0] ? { ...k, lastUsedAt: Math.max(k.lastUsedAt ?? 0, newest[i][0].ts) } : k));
  }

  async list(query: ApiKeyListQuery): Promise<{ items: ApiKey[]; total: number }> {
    const r = await this.store.apiKeys.list(query);
    return { items: r.items.map(withKeyDefaults), total: r.total };
  }

  async get(id: string): Promise<ApiKey> {
    const k = await this.store.apiKeys.get(id);
    if (!k) throw new RelayError('NOT_FOUND', 'API key not found');
    return (await this.withLastUsed([withKeyDefaults(k)]))[0];
  }

  async update(id: string, patch: ApiKeyPatch): Promise<ApiKey> {
    const cur = await this.get(id);
    const { limits: limitPatch, ...rest } = patch;
    const limits: ApiKeyLimits = limitPatch ? { ...cur.limits, ...limitPatch } : cur.limits;
    // Switching to activation mode clears a fixed expiry; switching back clears the activation.
    if (limitPatch?.expirationMode === 'fixed' && cur.limits.expirationMode === 'activation') limits.activatedAt = null;
    const expiresAt = rest.expiresAt !== undefined ? rest.expiresAt : limitPatch?.expirationMode === 'activation' ? null : cur.expiresAt;
    this.check(limits, expiresAt);
    const k = await this.store.apiKeys.update(id, { ...rest, expiresAt, limits, updatedAt: this.clock.now() });
    if (!k) throw new RelayError('NOT_FOUND', 'API key not found');
    // Requests of keys without counted limits are not settled into counters (it keeps them cheap); a key that
    // gets its first counted limit has its past use counted from the statistics.
    if (limitPatch && needsAdmission(limits) && !needsAdmission(cur.limits)) {
      await this.store.limits.seed(id, await pastUse((q) => this.store.usage.query(q), id, limits, this.clock.now(), this.timezoneOffsetHours));
    }
    return withKeyDefaults(k);
  }

  /** Undoes a soft delete. */
  async restore(id: string): Promise<ApiKey> {
    const k = await this.store.apiKeys.update(id, { deletedAt: null, isActive: true, updatedAt: this.clock.now() });
    if (!k) throw new RelayError('NOT_FOUND', 'API key not found');
    return withKeyDefaults(k);
  }

  /** Soft delete: the key stops working at once; its statistics stay. */
  async softDelete(id: string): Promise<ApiKey> {
    const now = this.clock.now();
    const k = await this.store.apiKeys.update(id, { deletedAt: now, isActive: false, updatedAt: now });
    if (!k) throw new RelayError('NOT_FOUND', 'API key not found');
    return withKeyDefaults(k);
  }

  async purge(id: string): Promise<void> {
    if (!(await this.store.apiKeys.remove(id))) throw new RelayError('NOT_FOUND', 'API key not found');
  }
}
