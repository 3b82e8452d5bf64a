// The in-memory view of the account pool: records with their decrypted credentials, kept fresh by store change
// events. Selection never touches the store; last-used times are written back in batches.
import { withAccountDefaults, type Account, type AccountKind } from '../core/account.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../platform/logger.js';
import type { Secrets } from '../platform/secrets.js';
import { adapterFor } from '../providers/registry.js';
import type { Operation, ProviderAdapter, ProviderDefaults } from '../providers/types.js';
import type { Store } from '../store/types.js';
import { compareRank, rankAccounts, type CandidateAccount } from '../scheduling/selector.js';

/** An account as the relay uses it: the selector's view of it (CandidateAccount) plus what a request needs. */
export interface PoolAccount extends CandidateAccount {
  readonly kind: AccountKind;
  readonly account: Account;
  readonly adapter: ProviderAdapter;
  /** `http(s)://host[:port]` of the upstream. */
  readonly origin: string;
  /** Path prefix of the upstream API root ('' or '/something'). */
  readonly basePath: string;
  /** Decrypted credentials, parsed by the adapter's schema. */
  readonly secrets: unknown;
  /** Decrypted proxy URL, or null. */
  readonly proxyUrl: string | null;
}

export class AccountPool {
  private entries = new Map<string, PoolAccount>();
  private byOp = new Map<Operation, readonly PoolAccount[]>();
  private readonly load = new Map<string, number>();
  private readonly lastUsed = new Map<string, number>();
  private readonly pendingTouch = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private reloading: Promise<void> | null = null;
  private reloadAgain = false;

  constructor(
    private readonly store: Store,
    private readonly secrets: Secrets,
    private readonly defaults: ProviderDefaults,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    store.onChange((e) => {
      if (e.entity === 'account' || e.entity === '*') void this.reload();
    });
  }

  /** Loads every account and starts the periodic write-back of last-used times. */
  async start(flushMs = 1000): Promise<void> {
    await this.reload();
    this.timer = setInterval(() => void this.flush(), flushMs).unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }

  /** Reloads from the store; concurrent calls coalesce into at most one more reload. */
  reload(): Promise<void> {
    if (this.reloading) {
      this.reloadAgain = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      try {
        do {
          this.reloadAgain = false;
          const accounts = await this.store.accounts.list();
          const next = new Map<string, PoolAccount>();
          for (const a of accounts) {
            const entry = this.toEntry(withAccountDefaults(a));
            if (entry) next.set(a.id, entry);
          }
          this.entries = next;
          this.byOp = new Map();
        } while (this.reloadAgain);
      } catch (e) {
        this.log.error({ err: e }, 'account pool reload failed');
      } finally {
        this.reloading = null;
      }
    })();
    return this.reloading;
  }

  private toEntry(a: Account): PoolAccount | null {
    try {
      const adapter = adapterFor(a.kind);
      const secrets: unknown = adapter.secretsSchema.parse(JSON.parse(this.secrets.open(a.secrets)));
      const url = new URL(a.baseUrl ?? adapter.defaultBaseUrl(this.defaults));
      if (a.lastUsedAt !== null && (this.lastUsed.get(a.id) ?? 0) < a.lastUsedAt) this.lastUsed.set(a.id, a.lastUsedAt);
      return {
        id: a.id,
        kind: a.kind,
        name: a.name,
        priority: a.priority,
        schedulable: a.schedulable,
        shared: a.shared,
        groupIds: a.groupIds,
        supportedModels: a.supportedModels,
        modelMapping: a.modelMapping,
        expiresAt: a.expiresAt,
        maxConcurrency: a.maxConcurrency,
        createdAt: a.createdAt,
        account: a,
        adapter,
        origin: url.origin,
        basePath: url.pathname.replace(/\/+$/, ''),
        secrets,
        proxyUrl: a.proxy ? this.secrets.open(a.proxy) : null,
      };
    } catch (e) {
      this.log.warn({ accountId: a.id, err: (e as Error).message }, 'account skipped: its credentials cannot be read');
      return null;
    }
  }

  get(id: string): PoolAccount | undefined {
    return this.entries.get(id);
  }

  all(): PoolAccount[] {
    return [...this.entries.values()];
  }

  lastUsedAt(id: string): number | null {
    return this.lastUsed.get(id) ?? null;
  }

  /**
   * Every loaded account whose kind serves an upstream operation, in the scheduler's rank order (`compareRank`: the
   * first routable one is the one to use). The array is never changed: when a use reorders it, the pool makes a new
   * one, so a request still walking the old one (across its awaits) sees a consistent order.
   */
  serving(op: Operation): readonly PoolAccount[] {
    let list = this.byOp.get(op);
    if (!list) {
      const entries = [...this.entries.values()].filter((e) => e.adapter.paths[op] !== undefined);
      list = rankAccounts(entries, (id) => this.lastUsed.get(id) ?? 0);
      this.byOp.set(op, list);
    }
    return list;
  }

  /** The account with this id if its kind serves the operation. */
  servingOne(op: Operation, id: string): PoolAccount | undefined {
    const e = this.entries.get(id);
    return e && e.adapter.paths[op] !== undefined ? e : undefined;
  }

  markUsed(id: string): void {
    const now = this.clock.now();
    this.lastUsed.set(id, now);
    this.pendingTouch.set(id, now);
    const entry = this.entries.get(id);
    if (!entry) return;
    for (const [op, list] of this.byOp) {
      const i = list.indexOf(entry);
      if (i >= 0) this.byOp.set(op, this.reposition(list, i));
    }
  }

  /** `list` with its i-th account moved to where its new last-used time ranks it (the same list when it stays). */
  private reposition(list: readonly PoolAccount[], i: number): readonly PoolAccount[] {
    const rank = (a: PoolAccount, b: PoolAccount): number => compareRank(a, this.lastUsed.get(a.id) ?? 0, b, this.lastUsed.get(b.id) ?? 0);
    const a = list[i];
    if ((i === 0 || rank(list[i - 1], a) < 0) && (i === list.length - 1 || rank(a, list[i + 1]) < 0)) return list;
    const next = list.slice(0, i).concat(list.slice(i + 1));
    let lo = 0;
    let hi = next.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (rank(next[mid], a) < 0) lo = mid + 1;
      else hi = mid;
    }
    next.splice(lo, 0, a);
    return next;
  }

  /** Requests this instance has in flight on an account (for per-account concurrency caps). */
  inFlight(id: string): number {
    return this.load.get(id) ?? 0;
  }

  acquire(id: string): void {
    this.load.set(id, (this.load.get(id) ?? 0) + 1);
  }

  release(id: string): void {
    const n = (this.load.get(id) ?? 1) - 1;
    if (n > 0) this.load.set(id, n);
    else this.load.delete(id);
  }

  async flush(): Promise<void> {
    if (this.pendingTouch.size === 0) return;
    const batch = new Map(this.pendingTouch);
    this.pendingTouch.clear();
    try {
      await this.store.accounts.touch(batch);
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'last-used write-back failed');
    }
  }
}
