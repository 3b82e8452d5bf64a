// Admission of a request for a key, in the reference project's order (CRS-REFERENCE 4.3, which its clients rely
// on): client restriction (the relay-wide one of Settings › Relay behaviour, then the key's), then one atomic store
// operation for concurrency, rate window and cost caps, then the service permission and the model restriction
// (count_tokens: see AdmissionRequest.countOnly). What it acquires (a concurrency lease) it releases when the
// request ends (or at once when a later check refuses); long requests renew the lease. Keys with the wait queue
// on (wait-queue.ts) wait for a slot at their concurrency limit instead of an immediate 429.
import { admissionPlan, clientAllowed, modelAllowed, periodLabels, refusal, serviceAllowed } from '../accounting/limits.js';
import { needsAdmission, type ApiKey, type ClientId, type Service } from '../core/api-key.js';
import type { Clock } from '../core/clock.js';
import { RelayError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Logger } from '../platform/logger.js';
import type { AdmitPlan, AdmitResult, Store } from '../store/types.js';
import { RELAY_DEFAULTS, type RelaySettings } from '../admin/settings-schemas.js';
import { queueConfig, type QueueConfig, type WaitQueue } from './wait-queue.js';

export interface AdmissionRequest {
  service: Service;
  model: string;
  client: ClientId | null;
  /**
   * count_tokens and similar (free upstream calls): the client restriction and the rate window's request count
   * apply; concurrency and every cost/token cap do not. See KeyGate.admitCounted.
   */
  countOnly?: boolean;
  /** Aborts when the client goes away: a request waiting in the key's queue leaves it at once. */
  signal?: AbortSignal;
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
  /**
   * Settings › Relay behaviour, read per request: the relay-wide client restriction and the wait queue's defaults.
   * Without it no relay-wide restriction applies and the queue's defaults are the built-in ones.
   */
  settings?: () => RelaySettings;
  /** The wait queue; without it every key at its concurrency limit refuses at once. */
  waiters?: WaitQueue;
}

/** A waiter's entry in the store outlives its longest wait by this much (then it drops out by itself). */
const WAITER_GRACE_MS = 5_000;

const NO_CLIENTS: readonly ClientId[] = [];

const NOTHING_HELD: Admission = { weeklyLabel: null, release() {} };

/** The answer to a request whose client went away while it waited (nobody reads it; the log and metrics do). */
const cancelled = () => new RelayError('KEY_CONCURRENCY_LIMIT', 'The client went away while waiting for a slot', { details: { queue: 'cancelled' } });

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
    const relayClients = this.opts.settings?.().allowedClients ?? NO_CLIENTS;
    if (relayClients.length > 0 && (req.client === null || !relayClients.includes(req.client))) {
      throw new RelayError('KEY_CLIENT_FORBIDDEN', `This relay may only be used from: ${relayClients.join(', ')}`, {
        details: { allowedClients: relayClients, client: req.client, scope: 'relay' },
      });
    }
    if (!clientAllowed(l, req.client)) {
      throw new RelayError('KEY_CLIENT_FORBIDDEN', `This API key may only be used from: ${l.allowedClients.join(', ')}`, {
        details: { allowedClients: l.allowedClients, client: req.client },
      });
    }
    const denied = !serviceAllowed(l, req.service) || !modelAllowed(l, req.model);
    // A request the permission check will refuse does not wait in the queue for a slot it cannot use.
    const held = await this.admitCounted(key, req, !denied);
    if (denied) {
      held.release();
      if (!serviceAllowed(l, req.service)) throw new RelayError('KEY_PERMISSION_DENIED', `This API key may not call the ${req.service} API`);
      throw new RelayError('KEY_MODEL_FORBIDDEN', `This API key may not use the model ${req.model}`);
    }
    return held;
  }

  /** Clears a key's counters (window, daily, weekly, total) and leases: the operator's reset. Statistics stay. */
  async resetCounters(keyId: string): Promise<void> {
    await this.store.limits.reset(keyId);
  }

  /** The atomic part: concurrency, rate window, cost and token caps (no store call when the key has none). */
  private async admitCounted(key: ApiKey, req: AdmissionRequest, mayWait: boolean): Promise<Admission> {
    const l = key.limits;
    // A key without any counted limit has nothing to check, count or hold (no plan, labels or lease id to build).
    if (!needsAdmission(l)) return NOTHING_HELD;
    const now = this.clock.now();
    const tz = this.opts.timezoneOffsetHours;
    const weeklyLabel = periodLabels(l, req.model, now, tz).weekly;
    // A lease id only where a lease is taken (randomUUID per request is measurable).
    const leaseId = l.concurrencyLimit > 0 ? newId() : '';
    const planAt = (at: number): AdmitPlan | null => {
      const plan = admissionPlan(l, { model: req.model, now: at, offsetHours: tz, leaseId, leaseTtlMs: this.leaseTtlMs });
      if (plan && req.countOnly) {
        // The reference project skips the client restriction and concurrency for count_tokens and applies the
        // window and cost limits. Here: the client restriction applies too (it is about who uses the key, not what
        // it costs: a key limited to Claude Code counts tokens from Claude Code only), and count_tokens takes a
        // place in the rate window's request count (a free endpoint must not be an unmetered way to drive the
        // pool's accounts); the window's token and cost budgets do not refuse it (it uses neither). It holds no
        // concurrency slot (a quick call beside a running stream is what Claude Code does); the daily/total/weekly
        // caps apply.
        delete plan.concurrency;
        if (plan.window && plan.window.maxRequests > 0) plan.window = { ...plan.window, maxTokens: 0, maxCostNanos: 0 };
        else delete plan.window;
      }
      return plan;
    };
    const plan = planAt(now);
    if (!plan || Object.keys(plan).length === 1) return weeklyLabel ? { ...NOTHING_HELD, weeklyLabel } : NOTHING_HELD;
    const queue = plan.concurrency && mayWait && this.opts.waiters ? queueConfig(l, this.opts.settings?.() ?? RELAY_DEFAULTS) : null;
    const queuePlan = queue ? { waiterId: newId(), maxWaiting: queue.maxWaiting, ttlMs: queue.maxWaitMs + WAITER_GRACE_MS } : undefined;
    if (plan.concurrency && queuePlan) plan.concurrency.queue = queuePlan;
    let r = await this.store.limits.admit(key.id, plan);
    if (!r.ok && r.reason === 'queued' && queue && queuePlan) {
      // Each try re-reads the clock: the counters' periods are those of the moment the slot is taken.
      const tryAdmit = () => {
        const p = planAt(this.clock.now())!;
        p.concurrency!.queue = queuePlan;
        return this.store.limits.admit(key.id, p);
      };
      r = await this.waitForSlot(key, queuePlan.waiterId, tryAdmit, queue, req.signal);
    }
    if (!r.ok) {
      if (r.reason === 'queue_full') this.opts.waiters?.rejected(key.id);
      if (r.reason === 'queued') throw new RelayError('INTERNAL', 'Queued without a queue');
      throw refusal(r.reason, l, { now: this.clock.now(), offsetHours: tz, windowEndsAt: r.windowEndsAt, queue: queue ?? undefined });
    }
    if (!plan.concurrency) return { weeklyLabel, release() {} };
    const held = this.holding(key.id, leaseId, weeklyLabel);
    if (req.signal?.aborted) {
      // The client went away just as the slot came: it goes to the next waiter.
      held.release();
      throw cancelled();
    }
    return held;
  }

  /** Waits in the key's queue: the store's answer once this waiter's turn came, or the 429 of a wait that ended. */
  private async waitForSlot(
    key: ApiKey,
    waiterId: string,
    tryAdmit: () => Promise<AdmitResult>,
    queue: QueueConfig,
    signal: AbortSignal | undefined,
  ): Promise<AdmitResult> {
    const end = await this.opts.waiters!.wait(key.id, waiterId, tryAdmit, { maxWaitMs: queue.maxWaitMs, signal });
    if (end.kind === 'answer') return end.result;
    if (end.kind === 'error') throw end.error;
    if (end.kind === 'cancelled') throw cancelled();
    throw new RelayError(
      'KEY_CONCURRENCY_LIMIT',
      `Queue timeout: no slot came free within ${Math.round(queue.maxWaitMs / 1000)} s (this key allows ${key.limits.concurrencyLimit} request(s) at once)`,
      {
        retryAfterSec: Math.min(30, Math.max(5, Math.ceil(queue.maxWaitMs / 1000))),
        details: { queue: 'timeout' },
      },
    );
  }

  private holding(keyId: string, leaseId: string, weeklyLabel: string | null): Admission {
    let released = false;
    const renew = setInterval(() => {
      this.store.limits
        .renew(keyId, leaseId, this.leaseTtlMs, this.clock.now())
        .catch((e: unknown) => this.log.warn({ keyId, err: (e as Error).message }, 'lease renewal failed'));
    }, this.renewEveryMs).unref();
    return {
      weeklyLabel,
      release: () => {
        if (released) return;
        released = true;
        clearInterval(renew);
        // If this write fails the lease still expires on its own (leaseTtlMs): a slot is never lost for good.
        // When requests wait for the key, every instance hears that a slot came free.
        this.store.limits
          .release(keyId, leaseId)
          .then((waiting) => {
            if (waiting > 0) this.store.publish({ entity: 'queue', id: keyId });
          })
          .catch((e: unknown) => this.log.warn({ keyId, err: (e as Error).message }, 'lease release failed'));
      },
    };
  }
}
