// The active probe: accounts cooling down for reasons an answer can disprove (server errors, network trouble,
// overload, rejected credentials) are asked a free question (count_tokens) now and then; a good answer clears
// those reasons early, on every instance. Rate limits with an announced reset and blocks are left alone: a probe
// cannot prove those wrong.
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../platform/logger.js';
import type { HealthCode } from '../../scheduling/health-policy.js';
import type { UpstreamClient } from '../../upstream/client.js';
import type { AccountHealth } from './state.js';
import type { AccountPool, PoolAccount } from '../pool.js';
import type { Credentials } from '../credentials.js';

const PROBEABLE: ReadonlySet<HealthCode> = new Set(['server_error', 'network', 'overloaded', 'unauthorized', 'forbidden']);
const PROBE_TIMEOUT_MS = 15_000;

export interface ProbeDeps {
  pool: AccountPool;
  health: AccountHealth;
  upstream: UpstreamClient;
  credentials: Credentials;
  clock: Clock;
  log: Logger;
}

export class HealthProbe {
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    private readonly deps: ProbeDeps,
    private readonly intervalMs = 30_000,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.probeAll(), this.intervalMs).unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Probes every account whose cooldown a good answer could end; returns the ids it cleared. */
  async probeAll(): Promise<string[]> {
    if (this.running) return [];
    this.running = true;
    try {
      const cleared: string[] = [];
      for (const entry of this.deps.pool.all()) {
        const reasons = this.deps.health.get(entry.id);
        if (reasons.length === 0 || !reasons.some((r) => PROBEABLE.has(r.code))) continue;
        if (await this.answers(entry)) {
          await this.deps.health.clear(entry.id, (r) => PROBEABLE.has(r.code));
          this.deps.log.info({ accountId: entry.id }, 'probe answered: cooldown cleared');
          cleared.push(entry.id);
        }
      }
      return cleared;
    } finally {
      this.running = false;
    }
  }

  /** True when the account answers its kind's probe request with a 2xx (kinds without a probe just wait out their cooldown). */
  private async answers(entry: PoolAccount): Promise<boolean> {
    const probe = entry.adapter.probe;
    if (!probe) return false;
    try {
      const headers = entry.adapter.wire.requestHeaders({});
      entry.adapter.applyAuth(headers, await this.deps.credentials.current(entry));
      const model = entry.supportedModels[0] ?? Object.keys(entry.modelMapping)[0] ?? probe.defaultModel;
      const res = await this.deps.upstream.send({
        origin: entry.origin,
        path: `${entry.basePath}${probe.path}`,
        method: probe.method,
        headers,
        body: probe.body ? Buffer.from(JSON.stringify(probe.body(model))) : undefined,
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
        proxyUrl: entry.proxyUrl,
      });
      await res.body.dump();
      return res.statusCode < 300;
    } catch {
      return false;
    }
  }
}
