// Subscription usage windows per account, kept in the store (`windows:<accountId>`, expiring with the latest
// reset) so every instance and the admin API see what the upstream last reported.
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../platform/logger.js';
import type { UsageWindow } from '../../providers/types.js';
import type { KvRepo } from '../../store/types.js';
import type { PoolAccount } from '../pool.js';

/** A window as last observed. */
export interface StoredWindow extends UsageWindow {
  /** Epoch ms of the response (or usage fetch) that reported it. */
  observedAt: number;
}

const ORDER: UsageWindow['id'][] = ['5h', '7d', '7d_opus', '7d_sonnet'];
const key = (accountId: string) => `windows:${accountId}`;
/** Without a known reset, keep the record this long. */
const DEFAULT_TTL_MS = 7 * 24 * 3600_000;
/** An unchanged observation is written again at most this often (it only refreshes `observedAt`). */
const REWRITE_AFTER_MS = 60_000;

const sameWindows = (a: StoredWindow[], b: StoredWindow[]): boolean =>
  a.length === b.length &&
  a.every((w, i) => w.id === b[i].id && w.status === b[i].status && w.resetsAt === b[i].resetsAt && w.utilization === b[i].utilization);

export class UsageWindows {
  /** What this instance last wrote per account: merges partial observations and skips identical rewrites. */
  private readonly last = new Map<string, StoredWindow[]>();
  private readonly listeners = new Set<(accountId: string, windows: readonly StoredWindow[]) => void>();

  constructor(
    private readonly kv: KvRepo,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /**
   * Stores an account's windows. Windows missing from `windows` but known and not yet reset are kept (a response
   * need not report every window). Returns the stored set.
   */
  async save(accountId: string, windows: readonly UsageWindow[], observedAt = this.clock.now()): Promise<StoredWindow[]> {
    const now = this.clock.now();
    const merged = new Map<string, StoredWindow>();
    for (const w of this.last.get(accountId) ?? []) if (w.resetsAt === null || w.resetsAt > now) merged.set(w.id, w);
    for (const w of windows) merged.set(w.id, { ...w, observedAt });
    const next = ORDER.filter((id) => merged.has(id)).map((id) => merged.get(id)!);
    const prev = this.last.get(accountId);
    if (prev && sameWindows(prev, next) && prev.every((w) => observedAt - w.observedAt < REWRITE_AFTER_MS)) return prev;
    const latestReset = Math.max(0, ...next.map((w) => w.resetsAt ?? 0));
    const ttl = latestReset > now ? latestReset - now : DEFAULT_TTL_MS;
    this.last.set(accountId, next);
    for (const l of this.listeners) l(accountId, next);
    await this.kv.set(key(accountId), JSON.stringify(next), ttl);
    return next;
  }

  /** Told when this instance stores changed windows of an account (alerts watch exhausted ones). Must not throw. */
  onSaved(listener: (accountId: string, windows: readonly StoredWindow[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * For the relay, on every upstream response: lets the account's adapter read the headers and stores what it
   * found. Never throws and never delays the response (the write happens in the background).
   */
  observe(entry: PoolAccount, headers: Record<string, string | string[] | undefined>): void {
    const observe = entry.adapter.observe;
    if (!observe) return;
    try {
      const obs = observe(headers, this.clock.now());
      if (!obs || obs.windows.length === 0) return;
      this.save(entry.account.id, obs.windows).catch((e: Error) => this.log.warn({ accountId: entry.account.id, err: e.message }, 'usage windows not saved'));
    } catch (e) {
      this.log.warn({ accountId: entry.account.id, err: (e as Error).message }, 'usage windows not read');
    }
  }

  async get(accountId: string): Promise<StoredWindow[]> {
    return (await this.getMany([accountId]))[0];
  }

  /** One store round trip for many accounts; accounts without windows get []. */
  async getMany(accountIds: readonly string[]): Promise<StoredWindow[][]> {
    if (accountIds.length === 0) return [];
    const raw = await this.kv.getMany(accountIds.map(key));
    return raw.map((v) => {
      if (!v) return [];
      try {
        const parsed = JSON.parse(v) as unknown;
        return Array.isArray(parsed) ? (parsed as StoredWindow[]) : [];
      } catch {
        return [];
      }
    });
  }

  /** Forgets an account's windows (e.g. after it was re-authorised to another subscription). */
  async clear(accountId: string): Promise<void> {
    this.last.delete(accountId);
    await this.kv.delete(key(accountId));
  }
}

/** The admin API's shape of a window (ISO times). */
export function windowView(w: StoredWindow) {
  return {
    id: w.id,
    utilization: w.utilization,
    resetsAt: w.resetsAt === null ? null : new Date(w.resetsAt).toISOString(),
    status: w.status,
    observedAt: new Date(w.observedAt).toISOString(),
  };
}
