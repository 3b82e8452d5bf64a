// Admission of a request for a key, in the reference project's order (CRS-REFERENCE 4.3, which its clients rely
// on): client restriction, then one atomic store operation for concurrency, rate window and cost caps, then the
// service permission and the model restriction (count_tokens: see AdmissionRequest.countOnly). What it acquires (a concurrency lease) it releases when the
// request ends (or at once when a later check refuses); long requests renew the lease.
import { admissionPlan, clientAllowed, modelAllowed, periodLabels, refusal, serviceAllowed } from '../accounting/limits.js';
import type { ApiKey, ClientId, Service } from '../core/api-key.js';
import type { Clock } from '../core/clock.js';
import { RelayError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Logger } from '../platform/logger.js';
import type { Store } from '../store/types.js';

export interface AdmissionRequest {
  service: Service;
  model: string;
  client: ClientId | null;
  /**
   * count_tokens and similar (free upstream calls): the client restriction and the rate window's request count
   * apply; concurrency and every cost/token cap do not. See KeyGate.admitCounted.
   */
  countOnly?: boolean;
}

/** Held by a request while it runs. */
export interface Admission {
  /** The week label the request's cost counts toward (null when no weekly cap applies). */
  weeklyLabel: string | null;
  /** Ends the lease (idempotent). */
  release(): void;
}

export interface KeyGateOptions {
  timezoneOffsetHours: number;
  leaseTtlMs?: number;
  renewEveryMs?: number;
}

const NOTHING_HELD: Admission = { weeklyLabel: null, release() {} };

export class KeyGate {
  private readonly leaseTtlMs: number;
  private readonly renewEveryMs: number;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly opts: KeyGateOptions,
  ) {
    this.leaseTtlMs = opts.leaseTtlMs ?? 300_000;
    this.renewEveryMs = opts.renewEveryMs ?? 120_000;
  }

  /** Throws the refusal (403/429/402 RelayError) or returns what the request holds. */
  async admit(key: ApiKey, req: AdmissionRequest): Promise<Admission> {
    const l = key.limits;
    if (!clientAllowed(l, req.client)) {
      throw new RelayError('KEY_CLIENT_FORBIDDEN', `This API key may only be used from: ${l.allowedClients.join(', ')}`, { details: { allowedClients: l.allowedClients, client: req.client } });
    }
    const held = await this.admitCounted(key, req);
    if (!serviceAllowed(l, req.service) || !modelAllowed(l, req.model)) {
      held.release();
      if (!serviceAllowed(l, req.service)) throw new RelayError('KEY_PERMISSION_DENIED', `This API key may not call the ${req.service} API`);
      throw new RelayError('KEY_MODEL_FORBIDDEN', `This API key may not use the model ${req.model}`);
    }
    return held;
  }

  /** The atomic part: concurrency, rate window, cost and token caps (no store call when the key has none). */
  private async admitCounted(key: ApiKey, req: AdmissionRequest): Promise<Admission> {
    const l = key.limits;
    const now = this.clock.now();
    const tz = this.opts.timezoneOffsetHours;
    const weeklyLabel = periodLabels(l, req.model, now, tz).weekly;
    const plan = admissionPlan(l, { model: req.model, now, offsetHours: tz, leaseId: newId(), leaseTtlMs: this.leaseTtlMs });
    if (plan && req.countOnly) {
      // The reference project skips the client restriction and concurrency for count_tokens and applies the window
      // and cost limits. Here: the client restriction applies too (it is about who uses the key, not what it
      // costs: a key limited to Claude Code counts tokens from Claude Code only), and count_tokens takes a place
      // in the rate window's request count (a free endpoint must not be an unmetered way to drive the pool's
      // accounts); the window's token and cost budgets do not refuse it (it uses neither). It holds no concurrency
      // slot (a quick call beside a running stream is what Claude Code does); the daily/total/weekly caps apply.
      delete plan.concurrency;
      if (plan.window && plan.window.maxRequests > 0) plan.window = { ...plan.window, maxTokens: 0, maxCostNanos: 0 };
      else delete plan.window;
    }
    if (!plan || Object.keys(plan).length === 1) return weeklyLabel ? { ...NOTHING_HELD, weeklyLabel } : NOTHING_HELD;
    const r = await this.store.limits.admit(key.id, plan);
    if (!r.ok) throw refusal(r.reason, l, { now, offsetHours: tz, windowEndsAt: r.windowEndsAt });
    const lease = plan.concurrency;
    if (!lease) return { weeklyLabel, release() {} };
    return this.holding(key.id, lease.leaseId, weeklyLabel);
  }

  private holding(keyId: string, leaseId: string, weeklyLabel: string | null): Admission {
    let released = false;
    const renew = setInterval(() => {
      this.store.limits.renew(keyId, leaseId, this.leaseTtlMs, this.clock.now()).catch((e: unknown) => this.log.warn({ keyId, err: (e as Error).message }, 'lease renewal failed'));
    }, this.renewEveryMs).unref();
    return {
      weeklyLabel,
      release: () => {
        if (released) return;
        released = true;
        clearInterval(renew);
        // If this write fails the lease still expires on its own (leaseTtlMs): a slot is never lost for good.
        this.store.limits.release(keyId, leaseId).catch((e: unknown) => this.log.warn({ keyId, err: (e as Error).message }, 'lease release failed'));
      },
    };
  }
}
