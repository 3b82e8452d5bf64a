// Sticky sessions: conversation → account, shared through the store (kv `sticky:<keyId>:<conversation>`) with a
// TTL renewed while the conversation goes on, and a short in-memory cache so a busy conversation costs no store
// round trip per turn. The timings may be a getter (Settings › Relay behaviour changes them at run time).
import type { Clock } from '../core/clock.js';
import type { Store } from '../store/types.js';

export interface StickyOptions {
  ttlMs: number;
  /** Renew the TTL when less than this remains (0 = never renew). */
  renewBelowMs: number;
  /** How long a binding read from the store is trusted in memory. */
  cacheMs?: number;
}

interface Cached {
  accountId: string | null;
  /** When the store entry expires (for renewal), as far as this instance knows. */
  expiresAt: number;
  cachedAt: number;
}

const MAX_CACHE = 50_000;

export class StickySessions {
  /**
   * Key id → conversation → what this instance knows. Two levels, not one `sticky:<key>:<conversation>` string: a
   * string built per request is hashed anew on every lookup, while a key's id and a conversation id (conversationId
   * memoises explicit ones) come back as the same strings, whose hashes V8 keeps.
   */
  private readonly cache = new Map<string, Map<string, Cached>>();
  private size = 0;
  private readonly cacheMs: number;
  private readonly timings: () => StickyOptions;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    opts: StickyOptions | (() => StickyOptions),
  ) {
    this.timings = typeof opts === 'function' ? opts : () => opts;
    this.cacheMs = (typeof opts === 'function' ? opts().cacheMs : opts.cacheMs) ?? 5_000;
  }

  private key(keyId: string, conversation: string): string {
    return `sticky:${keyId}:${conversation}`;
  }

  private cached(keyId: string, conversation: string): Cached | undefined {
    return this.cache.get(keyId)?.get(conversation);
  }

  private remember(keyId: string, conversation: string, c: Cached): void {
    let forKey = this.cache.get(keyId);
    if (!forKey?.has(conversation)) {
      if (this.size >= MAX_CACHE) {
        this.cache.clear();
        this.size = 0;
        forKey = undefined;
      }
      this.size++;
    }
    if (!forKey) this.cache.set(keyId, (forKey = new Map()));
    forKey.set(conversation, c);
  }

  /** What memory knows of the conversation's binding while it is fresh (null: none); undefined when the store must say. */
  known(keyId: string, conversation: string): string | null | undefined {
    const now = this.clock.now();
    const c = this.cached(keyId, conversation);
    return c && now - c.cachedAt < this.cacheMs && (c.accountId === null || c.expiresAt > now) ? c.accountId : undefined;
  }

  /** The account this conversation is bound to, or null. `fresh` bypasses the memory cache. */
  async get(keyId: string, conversation: string, fresh = false): Promise<string | null> {
    const known = fresh ? undefined : this.known(keyId, conversation);
    if (known !== undefined) return known;
    const now = this.clock.now();
    const k = this.key(keyId, conversation);
    const [accountId, ttl] = await Promise.all([this.store.kv.get(k), this.store.kv.ttl(k)]);
    this.remember(keyId, conversation, { accountId, expiresAt: ttl === null ? 0 : now + Math.min(ttl, 1e12), cachedAt: now });
    return accountId;
  }

  /** Binds (or keeps) the conversation on an account; writes only when it changed or the TTL needs renewal. */
  async bind(keyId: string, conversation: string, accountId: string): Promise<void> {
    const now = this.clock.now();
    const c = this.cached(keyId, conversation);
    const { ttlMs, renewBelowMs } = this.timings();
    const renewDue = renewBelowMs > 0 && (c?.expiresAt ?? 0) - now < renewBelowMs;
    if (c && c.accountId === accountId && c.expiresAt > now && !renewDue) return;
    await this.store.kv.set(this.key(keyId, conversation), accountId, ttlMs);
    this.remember(keyId, conversation, { accountId, expiresAt: now + ttlMs, cachedAt: now });
  }
}
