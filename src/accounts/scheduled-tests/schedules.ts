// Scheduled account tests: one schedule per account, `{ enabled, cron, model }`, kept in the store (kv
// `acct-test-schedule:<id>`) so every instance's runner sees the same; the runs are in the account history.
import type { Clock } from '../../core/clock.js';
import type { KvRepo } from '../../store/types.js';
import type { AccountHistory } from '../history.js';
import { nextRunAfter } from './cron.js';

const PREFIX = 'acct-test-schedule:';
/** What a new schedule proposes: a daily test at 08:00 (reporting time zone). */
export const DEFAULT_CRON = '0 8 * * *';
/** Runs the admin API lists. */
const HISTORY_LIMIT = 20;

export interface TestSchedule {
  enabled: boolean;
  cron: string;
  model: string;
  updatedAt: number;
  updatedBy: string;
}

export interface ScheduledRunView {
  at: string;
  ok: boolean;
  status: number;
  durationMs: number;
  model: string;
  /** Without credentials (scrubbed when the run was recorded). */
  error: string | null;
}

export interface ScheduleView {
  enabled: boolean;
  cron: string;
  model: string;
  /** The account kind's test model (what an empty model field means in the UI). */
  defaultModel: string | null;
  /** Hours east of UTC the cron expression is read in (TIMEZONE_OFFSET). */
  timezoneOffsetHours: number;
  nextRunAt: string | null;
  updatedAt: string | null;
  updatedBy: string | null;
  history: ScheduledRunView[];
}

export class TestSchedules {
  constructor(
    private readonly kv: KvRepo,
    private readonly history: AccountHistory,
    private readonly clock: Clock,
    private readonly timezoneOffsetHours: number,
  ) {}

  async get(id: string): Promise<TestSchedule | null> {
    return parse(await this.kv.get(PREFIX + id));
  }

  /** Stores an account's schedule (validated by the caller); every runner reads it at its next tick. */
  async put(id: string, s: Pick<TestSchedule, 'enabled' | 'cron' | 'model'>, by: string): Promise<TestSchedule> {
    const rec: TestSchedule = { enabled: s.enabled, cron: s.cron, model: s.model, updatedAt: this.clock.now(), updatedBy: by };
    await this.kv.set(PREFIX + id, JSON.stringify(rec));
    return rec;
  }

  async remove(id: string): Promise<void> {
    await this.kv.delete(PREFIX + id);
  }

  /** Every stored schedule, by account id. */
  async list(): Promise<{ accountId: string; schedule: TestSchedule }[]> {
    const out: { accountId: string; schedule: TestSchedule }[] = [];
    for (const { key, value } of await this.kv.scan(PREFIX)) {
      const schedule = parse(value);
      if (schedule) out.push({ accountId: key.slice(PREFIX.length), schedule });
    }
    return out;
  }

  /** The admin view: the schedule (or the proposal when there is none) with its next run and recent runs. */
  async view(id: string, defaultModel: string | null): Promise<ScheduleView> {
    const [s, runs] = await Promise.all([this.get(id), this.history.scheduledRuns(id)]);
    const cron = s?.cron ?? DEFAULT_CRON;
    const next = s?.enabled ? nextRunAfter(cron, this.clock.now(), this.timezoneOffsetHours) : null;
    const iso = (t: number | null | undefined) => (t ? new Date(t).toISOString() : null);
    return {
      enabled: s?.enabled ?? false,
      cron,
      model: s?.model ?? defaultModel ?? '',
      defaultModel,
      timezoneOffsetHours: this.timezoneOffsetHours,
      nextRunAt: iso(next),
      updatedAt: iso(s?.updatedAt),
      updatedBy: s?.updatedBy ?? null,
      history: runs
        .slice(0, HISTORY_LIMIT)
        .map((r) => ({ at: new Date(r.at).toISOString(), ok: r.ok, status: r.status, durationMs: r.latencyMs, model: r.model, error: r.error })),
    };
  }
}

function parse(v: string | null): TestSchedule | null {
  if (!v) return null;
  try {
    const s = JSON.parse(v) as TestSchedule;
    return typeof s.cron === 'string' && typeof s.model === 'string' ? s : null;
  } catch {
    return null;
  }
}
