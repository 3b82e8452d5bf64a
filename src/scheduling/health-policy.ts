// The account health policy, in one file: what a classified upstream failure does to an account (a reason with
// an expiry), and whether an account with given reasons is routable for a model. Pure.
//
// Only a documented account-level signal (`blocked`: organisation disabled, OAuth not allowed for the
// organisation, billing) takes an account out until an operator acts. What a client can provoke with its own
// request, a bare 403 (`forbidden`) or a 5xx (`server_error`), only cools the account down for a short, fixed
// time. Repeats do not escalate: while cooling the account gets no traffic, so a repeat can only come one cooldown
// later, and the active probe ends the cooldown early when the account answers. A persistent bare 403 therefore
// costs one failed-over attempt per cooldown, while an escalating rule would let one key holder stretch an
// outage of a shared account at will.
import type { FailureClass, FailureKind } from './failure.js';
import type { CooldownPolicy } from '../core/cooldowns.js';

/**
 * A health reason's code: a failure class, or `usage_paused`: not a failure but the relay's own choice (Settings ›
 * Relay behaviour › auto-pause), taken when a subscription's 5-hour window reached the threshold, until it resets.
 */
export type HealthCode = FailureKind | 'usage_paused';

/** Why an account is not routable right now. */
export interface HealthReason {
  code: HealthCode;
  message: string;
  /** Where it came from: a relayed request, the active probe, or an operator. */
  source: 'upstream' | 'probe' | 'operator';
  httpStatus?: number;
  /** Epoch ms it started / stops applying; `until: null` = until an operator (or the probe) clears it. */
  since: number;
  until: number | null;
  /** Only requests for this model family are affected (a per-family usage limit). */
  modelFamily?: string;
  requestId?: string;
}

export type { CooldownPolicy };

export const DEFAULT_COOLDOWNS: CooldownPolicy = {
  rateLimitedSec: 3600,
  throttledSec: 15,
  overloadedSec: 60,
  serverErrorSec: 60,
  networkSec: 30,
  unauthorizedSec: 1800,
  forbiddenSec: 60,
  maxSec: 7 * 86_400,
};

/** The reason a failure puts on an account, or null when the account is not at fault (client errors). */
export function reasonFor(
  cls: FailureClass,
  ctx: { now: number; httpStatus?: number; requestId?: string },
  policy: CooldownPolicy = DEFAULT_COOLDOWNS,
): HealthReason | null {
  const fallbackSec: Record<FailureKind, number | null> = {
    rate_limited: policy.rateLimitedSec,
    throttled: policy.throttledSec,
    overloaded: policy.overloadedSec,
    server_error: policy.serverErrorSec,
    network: policy.networkSec,
    unauthorized: policy.unauthorizedSec,
    forbidden: policy.forbiddenSec,
    blocked: null, // needs an operator
    client_error: null,
  };
  if (cls.kind === 'client_error') return null;
  const cap = ctx.now + policy.maxSec * 1000;
  let until: number | null;
  if (cls.kind === 'blocked') until = null;
  else if (cls.until !== undefined && cls.until > ctx.now) until = Math.min(cls.until, cap);
  else until = ctx.now + (fallbackSec[cls.kind] ?? 0) * 1000;
  return {
    code: cls.kind,
    message: cls.reason,
    source: 'upstream',
    httpStatus: ctx.httpStatus,
    since: ctx.now,
    until,
    ...(cls.modelFamily ? { modelFamily: cls.modelFamily } : {}),
    ...(ctx.requestId ? { requestId: ctx.requestId } : {}),
  };
}

/** Reasons still in force at `now`. */
export function activeReasons(reasons: readonly HealthReason[], now: number): HealthReason[] {
  return reasons.filter((r) => r.until === null || r.until > now);
}

/** Adds a reason, replacing an earlier one of the same code and family (the newest verdict wins). */
export function mergeReason(reasons: readonly HealthReason[], next: HealthReason, now: number): HealthReason[] {
  return [...activeReasons(reasons, now).filter((r) => !(r.code === next.code && r.modelFamily === next.modelFamily)), next];
}

/** The reasons that keep an account from serving a request for `family` now (family-scoped ones apply to it only). */
export function blockingReasons(reasons: readonly HealthReason[], now: number, family: string | null): HealthReason[] {
  return activeReasons(reasons, now).filter((r) => !r.modelFamily || r.modelFamily === family);
}

/** Transient reasons a successful request proves wrong (the account answered): cleared on success. */
export function clearedBySuccess(r: HealthReason): boolean {
  return r.code === 'throttled' || r.code === 'overloaded' || r.code === 'server_error' || r.code === 'network' || r.code === 'forbidden';
}

/** When a cooling account is expected back (null = needs an operator). */
export function availableAt(reasons: readonly HealthReason[]): number | null {
  let at = 0;
  for (const r of reasons) {
    if (r.until === null) return null;
    at = Math.max(at, r.until);
  }
  return at;
}

/** The single state shown for an account: the most serious active reason. */
export function healthState(reasons: readonly HealthReason[]): 'healthy' | HealthCode {
  const order: HealthCode[] = ['blocked', 'unauthorized', 'rate_limited', 'usage_paused', 'forbidden', 'overloaded', 'server_error', 'network', 'throttled'];
  for (const code of order) if (reasons.some((r) => r.code === code)) return code;
  return 'healthy';
}

/** opus | sonnet | haiku | null, from a model name. */
export function modelFamily(model: string): string | null {
  const m = /(opus|sonnet|haiku)/i.exec(model);
  return m ? m[1].toLowerCase() : null;
}
