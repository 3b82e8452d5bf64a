// Relay API keys: creation (the plaintext is returned once), lookup by HMAC through an in-memory cache that
// store change events invalidate (on every instance), and the admin operations.
import { randomBytes } from 'node:crypto';
import { API_KEY_PREFIX, keyDisplayPrefix, type ApiKey, type ApiKeyPatch } from '../core/api-key.js';
import type { Clock } from '../core/clock.js';
import { RelayError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Secrets } from '../platform/secrets.js';
import type { ApiKeyListQuery, Store } from '../store/types.js';

export interface NewApiKeyInput {
  name: string;
  description?: string;
  tags?: string[];
  isActive?: boolean;
  expiresAt?: number | null;
}

/** Where a key stands right now. */
export type ApiKeyStatus = 'active' | 'disabled' | 'expired' | 'deleted';

export function apiKeyStatus(k: ApiKey, now: number): ApiKeyStatus {
  if (k.deletedAt !== null) return 'deleted';
  if (!k.isActive) return 'disabled';
  if (k.expiresAt !== null && k.expiresAt <= now) return 'expired';
  return 'active';
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

  constructor(
    private readonly store: Store,
    private readonly secrets: Secrets,
    private readonly clock: Clock,
  ) {
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
    };
    await this.store.apiKeys.create(record);
    return { record, key };
  }

  /** Resolves a presented key to its record, or throws the 401 the client should see. */
  async authenticate(presented: string | undefined): Promise<ApiKey> {
    if (!presented) throw new RelayError('KEY_MISSING');
    if (presented.length < 10 || presented.length > 512) throw new RelayError('KEY_INVALID', 'Invalid API key format');
    const hash = this.secrets.hashApiKey(presented);
    const now = this.clock.now();
    let entry = this.cache.get(hash);
    if (!entry || now - entry.at > (entry.key ? POSITIVE_TTL_MS : NEGATIVE_TTL_MS)) {
      const key = await this.store.apiKeys.getByHash(hash);
      if (this.cache.size >= MAX_CACHE) this.cache.clear();
      entry = { key, at: now };
      this.cache.set(hash, entry);
    }
    const key = entry.key;
    if (!key) throw new RelayError('KEY_INVALID', 'API key not found');
    switch (apiKeyStatus(key, now)) {
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

  list(query: ApiKeyListQuery): Promise<{ items: ApiKey[]; total: number }> {
    return this.store.apiKeys.list(query);
  }

  async get(id: string): Promise<ApiKey> {
    const k = await this.store.apiKeys.get(id);
    if (!k) throw new RelayError('NOT_FOUND', 'API key not found');
    return k;
  }

  async update(id: string, patch: ApiKeyPatch): Promise<ApiKey> {
    const k = await this.store.apiKeys.update(id, { ...patch, updatedAt: this.clock.now() });
    if (!k) throw new RelayError('NOT_FOUND', 'API key not found');
    return k;
  }

  /** Soft delete: the key stops working at once; its statistics stay. */
  async softDelete(id: string): Promise<ApiKey> {
    const now = this.clock.now();
    const k = await this.store.apiKeys.update(id, { deletedAt: now, isActive: false, updatedAt: now });
    if (!k) throw new RelayError('NOT_FOUND', 'API key not found');
    return k;
  }

  async purge(id: string): Promise<void> {
    if (!(await this.store.apiKeys.remove(id))) throw new RelayError('NOT_FOUND', 'API key not found');
  }
}
