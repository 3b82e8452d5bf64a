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
  private readonly cache = new Map<string, Cached>();
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

  /** The account this conversation is bound to, or null. `fresh` bypasses the memory cache. */
  async get(keyId: string, conversation: string, fresh = false): Promise<string | null> {
    const k = this.key(keyId, conversation);
    const now = this.clock.now();
    const c = this.cache.get(k);
    if (!fresh && c && now - c.cachedAt < this.cacheMs && (c.accountId === null || c.expiresAt > now)) return c.accountId;
    const [accountId, ttl] = await Promise.all([this.store.kv.get(k), this.store.kv.ttl(k)]);
    if (this.cache.size >= MAX_CACHE) this.cache.clear();
    this.cache.set(k, { accountId, expiresAt: ttl === null ? 0 : now + Math.min(ttl, 1e12), cachedAt: now });
    return accountId;
  }

  /** Binds (or keeps) the conversation on an account; writes only when it changed or the TTL needs renewal. */
  async bind(keyId: string, conversation: string, accountId: string): Promise<void> {
    const k = this.key(keyId, conversation);
    const now = this.clock.now();
    const c = this.cache.get(k);
    const { ttlMs, renewBelowMs } = this.timings();
    const renewDue = renewBelowMs > 0 && (c?.expiresAt ?? 0) - now < renewBelowMs;
    if (c && c.accountId === accountId && c.expiresAt > now && !renewDue) return;
    await this.store.kv.set(k, accountId, ttlMs);
    this.cache.set(k, { accountId, expiresAt: now + ttlMs, cachedAt: now });
  }
}
