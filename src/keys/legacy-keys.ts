// Keys imported from the reference project keep working for their holders. Their record holds the reference's hash
// (`crs-sha256:` + SHA-256(key + its ENCRYPTION_KEY)), since the plaintext is unknown here. When a key this relay's
// HMAC does not find is presented, its reference hash is looked up (one extra lookup, only on such a miss, only
// after an import); on a match the record trades that hash for this relay's HMAC, so from then on the key is found
// like any other and the reference hash is gone.
import { keyDisplayPrefix, type ApiKey } from '../core/api-key.js';
import type { Clock } from '../core/clock.js';
import type { Secrets } from '../platform/secrets.js';
import { CRS_HASH_PREFIX, crsKeyHash } from './legacy-hash.js';
import type { Store } from '../store/types.js';

/** kv: the reference project's ENCRYPTION_KEY(s) that imported keys were hashed with, sealed with ours. */
export const LEGACY_KEYS_KV = 'settings:crs-import';
/** How long the list is trusted without reading it again (an import elsewhere also announces itself by event). */
const CACHE_MS = 60_000;

interface Stored {
  keys: string[];
  importedAt: number;
}

function read(raw: string | null): Stored {
  try {
    const v = raw ? (JSON.parse(raw) as Partial<Stored>) : {};
    return { keys: Array.isArray(v.keys) ? v.keys.filter((k): k is string => typeof k === 'string') : [], importedAt: Number(v.importedAt) || 0 };
  } catch {
    return { keys: [], importedAt: 0 };
  }
}

/** Remembers (sealed) the reference ENCRYPTION_KEY an import's key hashes were made with. */
export async function rememberLegacyKey(store: Store, secrets: Secrets, encryptionKey: string, now: number): Promise<void> {
  const cur = read(await store.kv.get(LEGACY_KEYS_KV));
  const known = cur.keys.some((sealed) => {
    try {
      return secrets.open(sealed) === encryptionKey;
    } catch {
      return false;
    }
  });
  if (known) return;
  await store.kv.set(LEGACY_KEYS_KV, JSON.stringify({ keys: [...cur.keys, secrets.seal(encryptionKey)], importedAt: now }));
  store.publish({ entity: 'settings', id: LEGACY_KEYS_KV });
}

export class LegacyKeys {
  private cached: { keys: string[]; at: number } | null = null;

  constructor(
    private readonly store: Store,
    private readonly secrets: Secrets,
    private readonly clock: Clock,
  ) {
    store.onChange((e) => {
      if (e.entity === '*' || e.entity === 'settings') this.cached = null;
    });
  }

  /**
   * The record of an imported key presented for the first time, now re-hashed to `ourHash`; null when the key is
   * not an imported one (or no import ever happened: then nothing is looked up).
   */
  async claim(presented: string, ourHash: string): Promise<ApiKey | null> {
    for (const encryptionKey of await this.keys()) {
      const legacy = CRS_HASH_PREFIX + crsKeyHash(presented, encryptionKey);
      const found = await this.store.apiKeys.getByHash(legacy);
      if (found) return this.store.apiKeys.replaceHash(found.id, legacy, ourHash, { prefix: keyDisplayPrefix(presented) });
    }
    return null;
  }

  private async keys(): Promise<string[]> {
    const now = this.clock.now();
    if (this.cached && now - this.cached.at < CACHE_MS) return this.cached.keys;
    const keys: string[] = [];
    for (const sealed of read(await this.store.kv.get(LEGACY_KEYS_KV)).keys) {
      try {
        keys.push(this.secrets.open(sealed));
      } catch {
        // sealed under another ENCRYPTION_KEY of ours: unusable here
      }
    }
    this.cached = { keys, at: now };
    return keys;
  }
}
