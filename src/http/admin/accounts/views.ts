// How the admin API shows an account's health and its state chip (routable, or why not).
import { withAccountDefaults, type Account } from '../../../core/account.js';
import { availableAt, healthState } from '../../../scheduling/health-policy.js';
import { routability } from '../../../scheduling/selector.js';
import type { AccountHealth } from '../../../accounts/health/state.js';
import type { AccountPool } from '../../../accounts/pool.js';
import type { AccountView } from '../../../accounts/accounts.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Health as the admin sees it: the state, every reason in force, and whether (and why not) it is routable now. */
export function healthView(a: Account, health: AccountHealth, pool: AccountPool, now: number) {
  const reasons = health.get(a.id);
  const r = routability(withAccountDefaults(a), reasons, now, pool.inFlight(a.id));
  const back = reasons.length ? availableAt(reasons) : null;
  return {
    state: healthState(reasons),
    routable: r.routable,
    notRoutableBecause: r.why?.code ?? null,
    availableAt: back === null ? null : iso(back),
    reasons: reasons.map((x) => ({ ...x, since: iso(x.since), until: iso(x.until) })),
    inFlight: pool.inFlight(a.id),
  };
}

export type StateView = AccountView & { health?: { state?: string; routable?: boolean; notRoutableBecause?: string | null } };

/**
 * The state chip of an account: `routable`, or why not — `paused`, `expired`, a health state (`rate_limited`,
 * `overloaded`, `unauthorized` …) or another exclusion (`at_capacity`). Derived from schedulable and expiry when the
 * view carries no health.
 */
export function accountState(v: StateView, now: number): { state: string; routable: boolean } {
  const h = v.health;
  if (h?.routable !== undefined) {
    if (h.routable) return { state: 'routable', routable: true };
    const why = h.notRoutableBecause ?? null;
    return { state: why === 'unhealthy' || why === null ? (h.state ?? 'unhealthy') : why, routable: false };
  }
  if (v.expiresAt !== null && Date.parse(v.expiresAt) <= now) return { state: 'expired', routable: false };
  return v.schedulable ? { state: 'routable', routable: true } : { state: 'paused', routable: false };
}
