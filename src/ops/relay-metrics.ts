// Prometheus metrics of the relay. The hot path only bumps numbers in maps that exist after the first request of
// a label combination (no string building, no label hashing); prom-client reads them when /metrics is scraped.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { monotonicNow } from '../core/clock.js';
import type { RequestObserver, RequestOutcome } from '../relay/types.js';
import { healthState } from '../scheduling/health-policy.js';
import type { AccountHealth } from '../accounts/health/state.js';
import type { AccountPool } from '../accounts/pool.js';

/**
 * Process metrics (memory, CPU, event loop, GC) describe the process, not one relay: one registry per process,
 * merged into every relay's exposition (collectDefaultMetrics starts observers that are never removed).
 */
let processRegistry: Registry | null = null;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** Upper bounds (seconds) of the latency histogram: from a quick non-streaming answer to a long stream. */
export const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

const TOKEN_TYPES = ['input', 'output', 'cache_write_5m', 'cache_write_1h', 'cache_read'] as const;

interface UsageCell {
  tokens: [number, number, number, number, number];
  costNanos: number;
}

/** One sample line, as prom-client's registry formats it. */
interface Sample {
  metricName: string;
  labels: Record<string, string>;
  value: number;
}

interface Latency {
  /** Non-cumulative counts per bucket; the last slot is +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

export interface RelayMetricsDeps {
  version: string;
  /** Process metrics (memory, CPU, event loop); default true. */
  processMetrics?: boolean;
}

function child<K, V>(m: Map<K, V>, k: K, make: () => V): V {
  let v = m.get(k);
  if (v === undefined) m.set(k, (v = make()));
  return v;
}

export class RelayMetrics {
  readonly registry = new Registry();
  /** Requests on relay routes being answered now (kept by the HTTP layer). */
  inFlight = 0;
  storeErrors = 0;
  /** Relayed requests seen by the observer so far. */
  observed = 0;
  private readonly requests = new Map<string, Map<number, number>>();
  private readonly latency = new Map<string, Latency>();
  /** keyId → accountId ('' when none) → model → totals. */
  private readonly usage = new Map<string, Map<string, Map<string, UsageCell>>>();
  private sources: { pool: Pick<AccountPool, 'all'>; health?: Pick<AccountHealth, 'get'> } | null = null;

  constructor(private readonly deps: RelayMetricsDeps) {
    this.register();
  }

  /** The relay observer: called once per finished relayed request. */
  readonly observe: RequestObserver = (o: RequestOutcome) => {
    this.observed++;
    // Plain get/set with a fallback, no closures: nothing is allocated once a label combination exists.
    let byStatus = this.requests.get(o.endpoint);
    if (byStatus === undefined) this.requests.set(o.endpoint, (byStatus = new Map()));
    byStatus.set(o.status, (byStatus.get(o.status) ?? 0) + 1);
    let lat = this.latency.get(o.endpoint);
    if (lat === undefined) this.latency.set(o.endpoint, (lat = { counts: new Array<number>(LATENCY_BUCKETS.length + 1).fill(0), sum: 0, count: 0 }));
    const sec = o.durationMs / 1000;
    let i = 0;
    while (i < LATENCY_BUCKETS.length && sec > LATENCY_BUCKETS[i]) i++;
    lat.counts[i]++;
    lat.sum += sec;
    lat.count++;
    const u = o.usage;
    if (u === null && o.costNanos === 0) return;
    let byAccount = this.usage.get(o.keyId);
    if (byAccount === undefined) this.usage.set(o.keyId, (byAccount = new Map()));
    const accountId = o.accountId ?? '';
    let byModel = byAccount.get(accountId);
    if (byModel === undefined) byAccount.set(accountId, (byModel = new Map()));
    let cell = byModel.get(o.model);
    if (cell === undefined) byModel.set(o.model, (cell = { tokens: [0, 0, 0, 0, 0], costNanos: 0 }));
    if (u) {
      cell.tokens[0] += u.input;
      cell.tokens[1] += u.output;
      cell.tokens[2] += u.cacheWrite5m;
      cell.tokens[3] += u.cacheWrite1h;
      cell.tokens[4] += u.cacheRead;
    }
    cell.costNanos += o.costNanos;
  };

  /** Where the account gauge reads the pool and the health states (once they exist). */
  attach(sources: { pool: Pick<AccountPool, 'all'>; health?: Pick<AccountHealth, 'get'> }): void {
    this.sources = sources;
  }

  /**
   * Resolves once no relay response is open and no relayed request has finished for a short while: after the
   * server has closed (connections cut at a shutdown deadline included), the handlers of those requests still run
   * their last steps (usage record, observers); shutdown waits for them before draining the recorder.
   */
  async settled(quietMs = 20, maxMs = 2000): Promise<void> {
    const deadline = monotonicNow() + maxMs;
    for (;;) {
      const seen = this.observed;
      await new Promise((r) => setTimeout(r, quietMs));
      if ((this.inFlight <= 0 && this.observed === seen) || monotonicNow() > deadline) return;
    }
  }

  /** Counts one failed store operation. */
  readonly storeError = (): void => {
    this.storeErrors++;
  };

  /** The Prometheus text exposition. */
  render(): Promise<string> {
    return this.deps.processMetrics === false ? this.registry.metrics() : Registry.merge([this.registry, processMetrics()]).metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private register(): void {
    const registers = [this.registry];
    // prom-client calls collect() with the metric as `this`; the relay's state is reached through `self`.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    new Counter({
      name: 'crs_requests_total',
      help: 'Relayed requests by endpoint and the status the client saw (499: the client went away first)',
      labelNames: ['endpoint', 'status'],
      registers,
      collect() {
        this.reset();
        for (const [endpoint, byStatus] of self.requests) for (const [status, n] of byStatus) this.inc({ endpoint, status: String(status) }, n);
      },
    });
    this.registry.registerMetric({
      name: 'crs_request_duration_seconds',
      help: 'Time from receiving a relayed request to its end (whole stream included)',
      type: 'histogram',
      get: async () => this.latencyValues(),
    } as never);
    new Counter({
      name: 'crs_tokens_total',
      help: 'Tokens used, by API key, account, model and token type',
      labelNames: ['key_id', 'account_id', 'model', 'type'],
      registers,
      collect() {
        this.reset();
        self.forEachUsage((labels, cell) => {
          for (let i = 0; i < TOKEN_TYPES.length; i++) if (cell.tokens[i] > 0) this.inc({ ...labels, type: TOKEN_TYPES[i] }, cell.tokens[i]);
        });
      },
    });
    new Counter({
      name: 'crs_cost_usd_total',
      help: 'Cost in US dollars (at the pricing table), by API key, account and model',
      labelNames: ['key_id', 'account_id', 'model'],
      registers,
      collect() {
        this.reset();
        self.forEachUsage((labels, cell) => this.inc(labels, cell.costNanos / 1e9));
      },
    });
    new Gauge({
      name: 'crs_accounts',
      help: 'Upstream accounts in the pool by kind and state (paused, healthy, or the health state that keeps it out)',
      labelNames: ['kind', 'state'],
      registers,
      collect() {
        this.reset();
        const counts = new Map<string, { kind: string; state: string; n: number }>();
        for (const a of self.sources?.pool.all() ?? []) {
          const state = !a.account.schedulable ? 'paused' : self.sources?.health ? healthState(self.sources.health.get(a.account.id)) : 'healthy';
          const k = `${a.account.kind}\0${state}`;
          child(counts, k, () => ({ kind: a.account.kind, state, n: 0 })).n++;
        }
        for (const c of counts.values()) this.set({ kind: c.kind, state: c.state }, c.n);
      },
    });
    new Gauge({
      name: 'crs_requests_in_flight',
      help: 'Requests on the relay routes being answered now (open streams included)',
      registers,
      collect() {
        this.set(self.inFlight);
      },
    });
    new Counter({
      name: 'crs_store_errors_total',
      help: 'Store operations that failed (backend unreachable or erroring)',
      registers,
      collect() {
        this.reset();
        this.inc(self.storeErrors);
      },
    });
    new Gauge({ name: 'crs_build_info', help: 'Version of the running relay', labelNames: ['version'], registers }).set({ version: this.deps.version }, 1);
  }

  private forEachUsage(fn: (labels: { key_id: string; account_id: string; model: string }, cell: UsageCell) => void): void {
    for (const [key_id, byAccount] of this.usage)
      for (const [account_id, byModel] of byAccount) for (const [model, cell] of byModel) fn({ key_id, account_id, model }, cell);
  }

  private latencyValues(): { name: string; help: string; type: string; values: Sample[]; aggregator: string } {
    const name = 'crs_request_duration_seconds';
    const values: Sample[] = [];
    for (const [endpoint, lat] of this.latency) {
      let cumulative = 0;
      for (let i = 0; i <= LATENCY_BUCKETS.length; i++) {
        cumulative += lat.counts[i];
        const le = i < LATENCY_BUCKETS.length ? String(LATENCY_BUCKETS[i]) : '+Inf';
        values.push({ metricName: `${name}_bucket`, labels: { endpoint, le }, value: cumulative });
      }
      values.push({ metricName: `${name}_sum`, labels: { endpoint }, value: lat.sum });
      values.push({ metricName: `${name}_count`, labels: { endpoint }, value: lat.count });
    }
    return { name, help: 'Time from receiving a relayed request to its end (whole stream included)', type: 'histogram', values, aggregator: 'sum' };
  }
}
