// Account alerts: an account that becomes unusable (blocked, unauthorized, token refresh failed, a quota window
// exhausted) and one that recovers. Each (account, condition) that is down has a store entry
// (`alertdown:<accountId>:<condition>`); whoever creates it sends "unusable" and whoever removes it sends
// "recovered", so two instances never both send a transition. Changes are seen where this instance makes them
// (health reasons, refreshes, usage windows); a periodic sweep notices what ended on its own (a cooldown expired,
// an operator re-authorised) and accounts that were deleted.
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../platform/logger.js';
import type { HealthReason } from '../../scheduling/health-policy.js';
import type { KvRepo } from '../../store/types.js';
import type { StoredWindow } from '../../accounts/health/usage-windows.js';
import type { AlertService } from './service.js';
import type { AccountCondition } from './types.js';

const PREFIX = 'alertdown:';
const KEEP_MS = 30 * 86_400_000;
/** Conditions read from health reasons and usage windows (a failed refresh is told, not read). */
const OBSERVED: AccountCondition[] = ['blocked', 'unauthorized', 'quota_exhausted'];

export interface ConditionFact {
  reason: string;
  until: number | null;
}

/** Pure: the unusable conditions an account's health reasons and usage windows show at `now`. */
export function accountConditions(reasons: readonly HealthReason[], windows: readonly StoredWindow[], now: number): Map<AccountCondition, ConditionFact> {
  const out = new Map<AccountCondition, ConditionFact>();
  for (const r of reasons) {
    if (r.until !== null && r.until <= now) continue;
    const cond: AccountCondition | null =
      r.code === 'blocked' ? 'blocked' : r.code === 'unauthorized' ? 'unauthorized' : r.code === 'rate_limited' ? 'quota_exhausted' : null;
    if (cond && !out.has(cond)) out.set(cond, { reason: r.message + (r.modelFamily ? ` (${r.modelFamily})` : ''), until: r.until });
  }
  if (!out.has('quota_exhausted')) {
    const w = windows.find((x) => (x.status === 'rejected' || x.utilization >= 1) && (x.resetsAt === null || x.resetsAt > now));
    if (w) out.set('quota_exhausted', { reason: `${w.id} window at ${Math.round(w.utilization * 100)}%`, until: w.resetsAt });
  }
  return out;
}

export interface AccountWatchDeps {
  alerts: Pick<AlertService, 'emit'>;
  kv: KvRepo;
  clock: Clock;
  log: Logger;
  /** The account's name, kind and last change (null when it no longer exists). */
  account(id: string): { name: string; kind: string; updatedAt: number } | null;
  health(id: string): readonly HealthReason[];
  windows(id: string): Promise<StoredWindow[]>;
  /** Default 30 s. */
  sweepMs?: number;
}

interface DownRecord {
  since: number;
  reason: string;
}

export class AccountWatch {
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: AccountWatchDeps) {}

  start(): void {
    this.timer = setInterval(
      () => void this.sweep().catch((e: unknown) => this.deps.log.warn({ err: (e as Error).message }, 'account alert sweep failed')),
      this.deps.sweepMs ?? 30_000,
    ).unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** This instance changed the account's health reasons. */
  onHealth(id: string, reasons: readonly HealthReason[]): void {
    this.background(async () => this.sync(id, accountConditions(reasons, await this.deps.windows(id), this.deps.clock.now())));
  }

  /** This instance stored the account's usage windows. */
  onWindows(id: string, windows: readonly StoredWindow[]): void {
    this.background(() => this.sync(id, accountConditions(this.deps.health(id), windows, this.deps.clock.now())));
  }

  /** A credential refresh of the account ended. */
  onRefresh(id: string, outcome: { ok: true } | { ok: false; error: string }): void {
    this.background(() => (outcome.ok ? this.recover(id, 'refresh_failed') : this.raise(id, 'refresh_failed', { reason: outcome.error, until: null })));
  }

  /** Every down condition that no longer holds recovers; entries of deleted accounts go quietly. */
  async sweep(): Promise<void> {
    const now = this.deps.clock.now();
    const byAccount = new Map<string, Map<AccountCondition, DownRecord>>();
    for (const { key, value } of await this.deps.kv.scan(PREFIX)) {
      const [id, cond] = key.slice(PREFIX.length).split(':') as [string, AccountCondition];
      let m = byAccount.get(id);
      if (!m) byAccount.set(id, (m = new Map()));
      m.set(cond, parse(value));
    }
    for (const [id, downs] of byAccount) {
      const acct = this.deps.account(id);
      if (!acct) {
        for (const cond of downs.keys()) await this.deps.kv.delete(key(id, cond));
        continue;
      }
      const facts = accountConditions(this.deps.health(id), await this.deps.windows(id), now);
      for (const [cond, rec] of downs) {
        // A failed refresh ends with a successful one (told) or with new credentials (an operator re-authorised).
        const over = cond === 'refresh_failed' ? acct.updatedAt > rec.since : !facts.has(cond);
        if (over) await this.recover(id, cond);
      }
    }
  }

  /** Raises what holds and recovers what no longer does (of the conditions read from health and windows). */
  private async sync(id: string, facts: Map<AccountCondition, ConditionFact>): Promise<void> {
    // One read for the usual case (nothing changes); a write only where the state flips.
    const down = await this.deps.kv.getMany(OBSERVED.map((c) => key(id, c)));
    for (let i = 0; i < OBSERVED.length; i++) {
      const f = facts.get(OBSERVED[i]);
      if (f && down[i] === null) await this.raise(id, OBSERVED[i], f);
      else if (!f && down[i] !== null) await this.recover(id, OBSERVED[i]);
    }
  }

  private async raise(id: string, cond: AccountCondition, fact: ConditionFact): Promise<void> {
    const acct = this.deps.account(id);
    if (!acct) return;
    const rec: DownRecord = { since: this.deps.clock.now(), reason: fact.reason };
    if (!(await this.deps.kv.setIfAbsent(key(id, cond), JSON.stringify(rec), KEEP_MS))) return;
    this.deps.alerts.emit(
      { type: 'account_unusable', account: { id, name: acct.name, kind: acct.kind }, condition: cond, reason: fact.reason, until: fact.until },
      { key: `acct:${id}:${cond}` },
    );
  }

  private async recover(id: string, cond: AccountCondition): Promise<void> {
    const k = key(id, cond);
    const cur = await this.deps.kv.get(k);
    if (cur === null || !(await this.deps.kv.deleteIfEquals(k, cur))) return;
    const acct = this.deps.account(id);
    if (!acct) return;
    this.deps.alerts.emit(
      { type: 'account_recovered', account: { id, name: acct.name, kind: acct.kind }, condition: cond },
      { key: `acct:${id}:${cond}:recovered` },
    );
  }

  private background(fn: () => Promise<void>): void {
    fn().catch((e: unknown) => this.deps.log.warn({ err: (e as Error).message }, 'account alert check failed'));
  }
}

const key = (id: string, cond: AccountCondition) => `${PREFIX}${id}:${cond}`;

function parse(v: string): DownRecord {
  try {
    return JSON.parse(v) as DownRecord;
  } catch {
    return { since: 0, reason: '' };
  }
}
