// What the account detail drawer shows besides the live state: the health history (every change of an account's
// reasons made by this instance: entered a cooldown, recovered, reset) and the result of the last test. Kept in
// the store (kv `acct-health-log:<id>`, the newest HISTORY_MAX changes of the last HISTORY_DAYS days; kv
// `acct-last-test:<id>`), so every instance's drawer sees the same.
import type { Clock } from '../core/clock.js';
import type { HealthReason } from '../scheduling/health-policy.js';
import type { KvRepo } from '../store/types.js';

const HISTORY_MAX = 200;
const HISTORY_DAYS = 7;
const DAY_MS = 86_400_000;
const logKey = (id: string) => `acct-health-log:${id}`;
const testKey = (id: string) => `acct-last-test:${id}`;

export interface HealthChange {
  at: number;
  /** `ok` when no reason is left, else the first reason's code. */
  state: string;
  reasons: { code: string; message: string; httpStatus?: number; source: string; until: number | null }[];
}

export interface TestRecord {
  at: number;
  ok: boolean;
  status: number;
  latencyMs: number;
  model: string;
  text: string | null;
  error: string | null;
  /** `manual` from the Test button (scheduled tests would say `scheduled`). */
  trigger: 'manual' | 'scheduled';
}

export class AccountHistory {
  constructor(
    private readonly kv: KvRepo,
    private readonly clock: Clock,
  ) {}

  async recordHealth(id: string, reasons: readonly HealthReason[]): Promise<void> {
    const now = this.clock.now();
    const entry: HealthChange = {
      at: now,
      state: reasons[0]?.code ?? 'ok',
      reasons: reasons.map((r) => ({ code: r.code, message: r.message, httpStatus: r.httpStatus, source: r.source, until: r.until })),
    };
    const list = [entry, ...(await this.health(id))].filter((e) => e.at > now - HISTORY_DAYS * DAY_MS).slice(0, HISTORY_MAX);
    await this.kv.set(logKey(id), JSON.stringify(list), HISTORY_DAYS * DAY_MS);
  }

  /** Newest first. */
  async health(id: string): Promise<HealthChange[]> {
    const v = await this.kv.get(logKey(id));
    if (!v) return [];
    try {
      return JSON.parse(v) as HealthChange[];
    } catch {
      return [];
    }
  }

  async recordTest(id: string, r: Omit<TestRecord, 'at'>): Promise<TestRecord> {
    const rec: TestRecord = { at: this.clock.now(), ...r };
    await this.kv.set(testKey(id), JSON.stringify(rec), 30 * DAY_MS);
    return rec;
  }

  async lastTest(id: string): Promise<TestRecord | null> {
    const v = await this.kv.get(testKey(id));
    return v ? (JSON.parse(v) as TestRecord) : null;
  }

  async forget(id: string): Promise<void> {
    await Promise.all([this.kv.delete(logKey(id)), this.kv.delete(testKey(id))]);
  }
}
