// What the account detail drawer shows besides the live state: the health history (every change of an account's
// reasons made by this instance: entered a cooldown, recovered, reset), the result of the last test and the runs of
// its scheduled test. Kept in the store (kv `acct-health-log:<id>`, the newest HISTORY_MAX changes of the last
// HISTORY_DAYS days; kv `acct-last-test:<id>`; kv `acct-test-log:<id>`, the newest TEST_LOG_MAX scheduled runs), so
// every instance's drawer sees the same.
import type { Clock } from '../core/clock.js';
import type { HealthReason } from '../scheduling/health-policy.js';
import type { KvRepo } from '../store/types.js';

const HISTORY_MAX = 200;
const HISTORY_DAYS = 7;
const TEST_LOG_MAX = 50;
const TEST_LOG_DAYS = 30;
const DAY_MS = 86_400_000;
const logKey = (id: string) => `acct-health-log:${id}`;
const testKey = (id: string) => `acct-last-test:${id}`;
const testLogKey = (id: string) => `acct-test-log:${id}`;

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
  /** `manual` from the Test button, `scheduled` from the account's scheduled test. */
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

  /** Keeps a test's outcome as the account's last test; a scheduled run also joins the scheduled-test log. */
  async recordTest(id: string, r: Omit<TestRecord, 'at'>): Promise<TestRecord> {
    const rec: TestRecord = { at: this.clock.now(), ...r };
    await this.kv.set(testKey(id), JSON.stringify(rec), 30 * DAY_MS);
    if (rec.trigger === 'scheduled') {
      // Only one instance runs a given scheduled test (a claim in the store), so this read-modify-write has no rival.
      const list = [rec, ...(await this.scheduledRuns(id))].filter((e) => e.at > rec.at - TEST_LOG_DAYS * DAY_MS).slice(0, TEST_LOG_MAX);
      await this.kv.set(testLogKey(id), JSON.stringify(list), TEST_LOG_DAYS * DAY_MS);
    }
    return rec;
  }

  /** The scheduled test's runs, newest first. */
  async scheduledRuns(id: string): Promise<TestRecord[]> {
    const v = await this.kv.get(testLogKey(id));
    if (!v) return [];
    try {
      return JSON.parse(v) as TestRecord[];
    } catch {
      return [];
    }
  }

  async lastTest(id: string): Promise<TestRecord | null> {
    const v = await this.kv.get(testKey(id));
    return v ? (JSON.parse(v) as TestRecord) : null;
  }

  async forget(id: string): Promise<void> {
    await Promise.all([this.kv.delete(logKey(id)), this.kv.delete(testKey(id)), this.kv.delete(testLogKey(id))]);
  }
}
