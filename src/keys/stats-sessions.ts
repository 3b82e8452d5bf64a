// Key-holder lookup sessions: a relay key, presented once in a POST body, is exchanged for a short-lived read-only
// token (kept in the store as kv `statssession:<sha256(token)>` → key id, so any instance can answer it).
import { createHash, randomBytes } from 'node:crypto';
import type { ApiKey } from '../core/api-key.js';
import type { Clock } from '../core/clock.js';
import { RelayError } from '../core/errors.js';
import type { Store } from '../store/types.js';

const TOKEN_PREFIX = 'st_';
const TOKEN_TTL_MS = 60 * 60_000;
const KV = 'statssession:';
const sha = (s: string) => createHash('sha256').update(s).digest('base64url');

/** True when a bearer token is a stats token (else it may be a relay key). */
export function isStatsToken(token: string): boolean {
  return token.startsWith(TOKEN_PREFIX);
}

export class StatsSessions {
  constructor(
    private readonly store: Pick<Store, 'kv' | 'apiKeys'>,
    private readonly clock: Clock,
  ) {}

  /** Opens a session for a key the caller has authenticated; the token is returned once. */
  async open(keyId: string): Promise<{ token: string; expiresAt: string }> {
    const token = TOKEN_PREFIX + randomBytes(24).toString('base64url');
    await this.store.kv.set(KV + sha(token), keyId, TOKEN_TTL_MS);
    return { token, expiresAt: new Date(this.clock.now() + TOKEN_TTL_MS).toISOString() };
  }

  /** The key a live token was issued for; KEY_INVALID when the session expired or the key is gone. */
  async resolve(token: string): Promise<ApiKey> {
    const keyId = await this.store.kv.get(KV + sha(token));
    if (!keyId) throw new RelayError('KEY_INVALID', 'The lookup session has expired; enter the key again');
    const k = await this.store.apiKeys.get(keyId);
    if (!k || k.deletedAt !== null) throw new RelayError('KEY_INVALID', 'Key not recognised');
    return k;
  }
}
