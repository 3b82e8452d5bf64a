// Account health states: reasons with expiry per account, kept in the store (kv `health:<id>`), mirrored in
// memory for the scheduler, and broadcast so every instance agrees. The policy (what a failure means) is in
// scheduling/health-policy.ts; this file only keeps and shares the result.
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../platform/logger.js';
import {
  activeReasons,
  availableAt,
  clearedBySuccess,
  DEFAULT_COOLDOWNS,
  mergeReason,
  reasonFor,
  type CooldownPolicy,
  type HealthReason,
} from '../../scheduling/health-policy.js';
import type { FailureClass } from '../../scheduling/failure.js';
import type { Store } from '../../store/types.js';

const PREFIX = 'health:';

export class AccountHealth {
  private readonly reasons = new Map<string, HealthReason[]>();
  private readonly listeners = new Set<(id: string, reasons: readonly HealthReason[]) => void>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** The cooldowns, or a getter read at every failure (Settings › Relay behaviour changes them at run time). */
    private readonly policy: CooldownPolicy | (() => CooldownPolicy) = DEFAULT_COOLDOWNS,
  ) {
    // Not awaited: a failure (the store just went away) must not become an unhandled rejection, which would end
    // the process; the next event or reconnect ('*') reloads.
    const reloadFailed = (e: unknown) => this.log.warn({ err: (e as Error).message }, 'health state reload failed');
    store.onChange((e) => {
      if (e.entity === 'health' && e.id) this.reloadOne(e.id).catch(reloadFailed);
      else if (e.entity === '*') this.load().catch(reloadFailed);
    });
  }

  /** Loads every stored state (start-up, and after a missed broadcast). */
  async load(): Promise<void> {
    const entries = await this.store.kv.scan(PREFIX);
    this.reasons.clear();
    for (const { key, value } of entries) this.reasons.set(key.slice(PREFIX.length), parse(value));
  }

  private async reloadOne(id: string): Promise<void> {
    const v = await this.store.kv.get(PREFIX + id);
    if (v === null) this.reasons.delete(id);
    else this.reasons.set(id, parse(v));
  }

  /** Reasons in force now (expired ones are dropped on read). */
  get(id: string): HealthReason[] {
    const rs = this.reasons.get(id);
    if (!rs) return EMPTY;
    const active = activeReasons(rs, this.clock.now());
    if (active.length !== rs.length) {
      if (active.length) this.reasons.set(id, active);
      else this.reasons.delete(id);
    }
    return active;
  }

  /** Applies the policy to a failure of this account; returns the reason set, if any. */
  async report(id: string, cls: FailureClass, ctx: { httpStatus?: number; requestId?: string }): Promise<HealthReason | null> {
    const now = this.clock.now();
    const reason = reasonFor(cls, { now, ...ctx }, typeof this.policy === 'function' ? this.policy() : this.policy);
    if (!reason) return null;
    const next = mergeReason(this.get(id), reason, now);
    this.reasons.set(id, next);
    this.log.warn(
      { accountId: id, code: reason.code, until: reason.until, httpStatus: ctx.httpStatus, requestId: ctx.requestId, reason: reason.message },
      'account cooling down',
    );
    await this.save(id, next);
    return reason;
  }

  /** Sets a reason the relay decides itself (not a failure: see auto-pause.ts), replacing one of the same code. */
  async hold(id: string, reason: HealthReason): Promise<void> {
    const next = mergeReason(this.get(id), reason, this.clock.now());
    this.reasons.set(id, next);
    await this.save(id, next);
  }

  /** A success clears transient reasons (the account evidently answers); no store write when there are none. */
  async recordSuccess(id: string): Promise<void> {
    const rs = this.get(id);
    if (rs.length === 0 || !rs.some(clearedBySuccess)) return;
    const next = rs.filter((r) => !clearedBySuccess(r));
    if (next.length) this.reasons.set(id, next);
    else this.reasons.delete(id);
    await this.save(id, next);
  }

  /** Removes the reasons matching `which` (the probe proved them wrong), on every instance. */
  async clear(id: string, which: (r: HealthReason) => boolean): Promise<void> {
    const rs = this.get(id);
    const next = rs.filter((r) => !which(r));
    if (next.length === rs.length) return;
    if (next.length) this.reasons.set(id, next);
    else this.reasons.delete(id);
    await this.save(id, next);
  }

  /** Operator reset: clears every reason on every instance. */
  async reset(id: string): Promise<void> {
    this.reasons.delete(id);
    await this.save(id, []);
  }

  /**
   * Told when this instance changes an account's reasons (not when it reloads another instance's change): the
   * alerts watch account states here. A listener must not throw or block.
   */
  onSaved(listener: (id: string, reasons: readonly HealthReason[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async save(id: string, reasons: HealthReason[]): Promise<void> {
    for (const l of this.listeners) l(id, reasons);
    try {
      if (reasons.length === 0) await this.store.kv.delete(PREFIX + id);
      else {
        const until = availableAt(reasons);
        const ttl = until === null ? undefined : Math.max(1, until - this.clock.now());
        await this.store.kv.set(PREFIX + id, JSON.stringify(reasons), ttl);
      }
      this.store.publish({ entity: 'health', id });
    } catch (e) {
      // The in-memory state already holds; other instances learn on their own failures.
      this.log.error({ accountId: id, err: (e as Error).message }, 'health state write failed');
    }
  }
}

const EMPTY: HealthReason[] = [];

function parse(v: string): HealthReason[] {
  try {
    const r = JSON.parse(v) as unknown;
    return Array.isArray(r) ? (r as HealthReason[]) : [];
  } catch {
    return [];
  }
}
