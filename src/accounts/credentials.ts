// Account credentials at request time. Static keys are used as loaded; credentials that expire (OAuth) are
// refreshed before use when due, and once after the upstream rejects them — under a store lock, so two relay
// instances never refresh the same account at once, and rotated tokens are saved in one write.
import { randomBytes } from 'node:crypto';
import { monotonicNow, type Clock } from '../core/clock.js';
import { RelayError } from '../core/errors.js';
import type { Logger } from '../platform/logger.js';
import type { Secrets } from '../platform/secrets.js';
import type { ProviderDefaults, RefreshContext } from '../providers/types.js';
import type { Store } from '../store/types.js';
import type { PoolAccount } from './pool.js';

export interface CredentialsDeps {
  store: Store;
  secrets: Secrets;
  clock: Clock;
  log: Logger;
  defaults: ProviderDefaults;
  /** A fetch that goes through a given proxy (null = direct), for token endpoints. */
  fetchFor(proxyUrl: string | null): typeof fetch;
  /** Lock expiry: longer than a token call can take (the call times out at 30 s). Default 45 s. */
  lockTtlMs?: number;
  /** How long an instance that did not get the lock waits for the holder's result. Default 10 s. */
  waitMs?: number;
  /** Poll interval while waiting. Default 100 ms. */
  pollMs?: number;
  /** After a failed refresh, the account is not refreshed again for this long (no hammering). Default 30 s. */
  failureBackoffMs?: number;
  /** Told how each refresh ended (alerts); must not throw or block. */
  onRefresh?: (accountId: string, outcome: { ok: true } | { ok: false; error: string }) => void;
}

/** Why a refresh is asked for; decides when someone else's newer credentials are good enough. */
type Reason = { kind: 'due' } | { kind: 'rejected'; stale: unknown };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sameSecrets = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export class Credentials {
  /** Credentials this instance refreshed or read newer than the pool's copy (until the pool reloads). */
  private readonly known = new Map<string, { secrets: unknown; updatedAt: number }>();
  /** One refresh per account at a time in this process; concurrent callers share it. */
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly failedAt = new Map<string, number>();
  private readonly owner = randomBytes(9).toString('base64url');
  private readonly lockTtlMs: number;
  private readonly waitMs: number;
  private readonly pollMs: number;
  private readonly backoffMs: number;

  constructor(private readonly deps: CredentialsDeps) {
    this.lockTtlMs = deps.lockTtlMs ?? 45_000;
    this.waitMs = deps.waitMs ?? 10_000;
    this.pollMs = deps.pollMs ?? 100;
    this.backoffMs = deps.failureBackoffMs ?? 30_000;
  }

  /** The credentials to send now: the loaded ones, or freshly refreshed ones when a refresh is due. */
  async current(entry: PoolAccount): Promise<unknown> {
    const secrets = this.latest(entry);
    const r = entry.adapter.refresh;
    if (!r || !r.due(secrets, this.deps.clock.now()) || this.backingOff(entry)) return secrets;
    try {
      return await this.refresh(entry, { kind: 'due' });
    } catch (e) {
      // Not fatal yet: the token may still work for a moment; the upstream's answer decides.
      this.deps.log.warn({ accountId: entry.account.id, err: (e as Error).message }, 'credential refresh failed');
      return this.latest(entry);
    }
  }

  /** After the upstream rejected the credentials: one refresh, or null when the kind cannot refresh or it failed. */
  async refreshAfterUnauthorized(entry: PoolAccount): Promise<unknown | null> {
    if (!entry.adapter.refresh || this.backingOff(entry)) return null;
    try {
      return await this.refresh(entry, { kind: 'rejected', stale: this.latest(entry) });
    } catch (e) {
      this.deps.log.warn({ accountId: entry.account.id, err: (e as Error).message }, 'credential refresh failed');
      return null;
    }
  }

  /** An operator's forced refresh: errors propagate (with the token endpoint's stable codes). */
  async forceRefresh(entry: PoolAccount): Promise<unknown> {
    if (!entry.adapter.refresh) throw new RelayError('BAD_REQUEST', 'This account kind has no refreshable credentials');
    this.failedAt.delete(entry.account.id);
    return this.refresh(entry, { kind: 'rejected', stale: this.latest(entry) });
  }

  /** What a provider call for this account may use (its proxy, the configured endpoints). */
  context(entry: PoolAccount): RefreshContext {
    return { now: this.deps.clock.now(), fetch: this.deps.fetchFor(entry.proxyUrl), viaProxy: entry.proxyUrl !== null, defaults: this.deps.defaults };
  }

  /** The newest credentials this instance knows for the account. */
  private latest(entry: PoolAccount): unknown {
    const k = this.known.get(entry.account.id);
    if (!k) return entry.secrets;
    if (entry.account.updatedAt >= k.updatedAt) {
      this.known.delete(entry.account.id); // the pool caught up
      return entry.secrets;
    }
    return k.secrets;
  }

  private backingOff(entry: PoolAccount): boolean {
    const at = this.failedAt.get(entry.account.id);
    return at !== undefined && this.deps.clock.now() - at < this.backoffMs;
  }

  private refresh(entry: PoolAccount, reason: Reason): Promise<unknown> {
    const id = entry.account.id;
    const running = this.inFlight.get(id);
    if (running) return running;
    const p = this.refreshLocked(entry, reason)
      .then(
        (s) => {
          this.failedAt.delete(id);
          this.deps.onRefresh?.(id, { ok: true });
          return s;
        },
        (e: unknown) => {
          this.failedAt.set(id, this.deps.clock.now());
          this.deps.onRefresh?.(id, { ok: false, error: (e as Error).message });
          throw e;
        },
      )
      .finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, p);
    return p;
  }

  /**
   * Takes the account's store lock, re-reads the account (another instance may have refreshed it), refreshes only
   * if still needed, and saves the new credentials in one write. Without the lock, waits for the holder and uses
   * what it stored.
   */
  private async refreshLocked(entry: PoolAccount, reason: Reason): Promise<unknown> {
    const { store } = this.deps;
    const id = entry.account.id;
    const lock = `lock:refresh:${id}`;
    const token = `${this.owner}:${randomBytes(6).toString('base64url')}`;
    // A real-time budget (the wait is real sleeps), so the monotonic clock, not the injected wall clock.
    const deadline = monotonicNow() + this.waitMs;
    for (;;) {
      if (await store.kv.setIfAbsent(lock, token, this.lockTtlMs)) {
        try {
          const stored = await this.readStored(entry);
          if (this.goodEnough(entry, stored.secrets, reason)) return this.remember(id, stored);
          const next = await entry.adapter.refresh!.run(stored.secrets, this.context(entry));
          const updatedAt = this.deps.clock.now();
          // One write: access token, rotated refresh token and expiry together, sealed.
          const saved = await store.accounts.update(id, { secrets: this.deps.secrets.seal(JSON.stringify(next)), updatedAt });
          if (!saved) throw new RelayError('NOT_FOUND', 'Account not found');
          this.deps.log.info({ accountId: id }, 'credentials refreshed');
          return this.remember(id, { secrets: next, updatedAt });
        } finally {
          await store.kv.deleteIfEquals(lock, token).catch(() => false);
        }
      }
      // Someone else is refreshing: wait for their result rather than refreshing a second time.
      await sleep(this.pollMs);
      if ((await store.kv.get(lock)) === null) {
        const stored = await this.readStored(entry);
        if (this.goodEnough(entry, stored.secrets, reason)) return this.remember(id, stored);
        // The holder failed or gave up; try to take the lock ourselves.
      }
      if (monotonicNow() > deadline) throw new RelayError('UPSTREAM_TIMEOUT', 'Timed out waiting for another instance to refresh the credentials');
    }
  }

  private async readStored(entry: PoolAccount): Promise<{ secrets: unknown; updatedAt: number }> {
    const a = await this.deps.store.accounts.get(entry.account.id);
    if (!a) throw new RelayError('NOT_FOUND', 'Account not found');
    const secrets: unknown = entry.adapter.secretsSchema.parse(JSON.parse(this.deps.secrets.open(a.secrets)));
    return { secrets, updatedAt: a.updatedAt };
  }

  /** Stored credentials that make a refresh unnecessary: not due any more, or not the ones that were rejected. */
  private goodEnough(entry: PoolAccount, stored: unknown, reason: Reason): boolean {
    if (reason.kind === 'due') return !entry.adapter.refresh!.due(stored, this.deps.clock.now());
    return !sameSecrets(stored, reason.stale);
  }

  private remember(id: string, s: { secrets: unknown; updatedAt: number }): unknown {
    this.known.set(id, s);
    return s.secrets;
  }
}
