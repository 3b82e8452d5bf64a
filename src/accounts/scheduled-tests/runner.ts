// The background runner of scheduled account tests. Every instance looks at the schedules every half minute; a
// test whose time came in the last GRACE_MS runs through the same path as the Test button. Several instances on
// one store run it once: the first to take the claim `acct-test-claim:<id>:<due time>` (kv setIfAbsent) runs it,
// the others see it taken. A test due while no instance was up is not caught up later.
import type { Clock } from '../../core/clock.js';
import { isRelayError } from '../../core/errors.js';
import type { Logger } from '../../platform/logger.js';
import type { Store } from '../../store/types.js';
import type { AccountHistory, TestRecord } from '../history.js';
import { scrubSecrets, type AccountTester } from '../tester.js';
import { lastRunAtOrBefore } from './cron.js';
import type { TestSchedule, TestSchedules } from './schedules.js';

/** A run still starts this long after its time (an instance's tick came late, or it just started). */
export const GRACE_MS = 2 * 60_000;
/** Claims outlive the grace window, so a late instance never runs the same occasion again. */
const CLAIM_TTL_MS = 10 * 60_000;
/** Tests of one tick run this many at a time. */
const PARALLEL = 4;

export interface RunnerDeps {
  store: Store;
  schedules: TestSchedules;
  tester: AccountTester;
  history: AccountHistory;
  clock: Clock;
  log: Logger;
  timezoneOffsetHours: number;
  /** Names this process in the claims (host:pid). */
  instance: string;
  intervalMs?: number;
  startDelayMs?: number;
}

export class ScheduledTestRunner {
  private timer: NodeJS.Timeout | null = null;
  private first: NodeJS.Timeout | null = null;
  private ticking: Promise<number> | null = null;
  private readonly abort = new AbortController();
  /** Account id → the due time this instance last handled (ran or found claimed): no second claim attempt. */
  private readonly handled = new Map<string, number>();
  private stopped = false;

  constructor(private readonly deps: RunnerDeps) {}

  start(): void {
    if (this.timer || this.stopped) return;
    this.first = setTimeout(() => void this.tick(), this.deps.startDelayMs ?? 5_000).unref();
    this.timer = setInterval(() => void this.tick(), this.deps.intervalMs ?? 30_000).unref();
  }

  /** Stops the timer and cancels tests in flight; resolves once they are recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.first) clearTimeout(this.first);
    if (this.timer) clearInterval(this.timer);
    this.first = this.timer = null;
    this.abort.abort();
    await this.ticking?.catch(() => undefined);
  }

  /** One pass (passes never overlap): runs every test due now that no other instance took. Returns how many ran here. */
  tick(): Promise<number> {
    if (this.stopped) return Promise.resolve(0);
    this.ticking ??= this.pass().finally(() => (this.ticking = null));
    return this.ticking;
  }

  private async pass(): Promise<number> {
    const now = this.deps.clock.now();
    let all: { accountId: string; schedule: TestSchedule }[];
    try {
      all = await this.deps.schedules.list();
    } catch (e) {
      this.deps.log.warn({ err: (e as Error).message }, 'scheduled tests not read');
      return 0;
    }
    const due: { accountId: string; schedule: TestSchedule; at: number }[] = [];
    for (const { accountId, schedule } of all) {
      if (!schedule.enabled) continue;
      const at = lastRunAtOrBefore(schedule.cron, now, this.deps.timezoneOffsetHours);
      // Not a time before the schedule was saved (saving at 08:00:20 does not run the 08:00 test).
      if (at === null || now - at > GRACE_MS || at < schedule.updatedAt || this.handled.get(accountId) === at) continue;
      due.push({ accountId, schedule, at });
    }
    let ran = 0;
    for (let i = 0; i < due.length && !this.stopped; i += PARALLEL) {
      const results = await Promise.all(due.slice(i, i + PARALLEL).map((d) => this.runIfClaimed(d.accountId, d.schedule, d.at)));
      ran += results.filter(Boolean).length;
    }
    return ran;
  }

  private async runIfClaimed(accountId: string, s: TestSchedule, at: number): Promise<boolean> {
    let claimed: boolean;
    try {
      claimed = await this.deps.store.kv.setIfAbsent(`acct-test-claim:${accountId}:${at}`, this.deps.instance, CLAIM_TTL_MS);
    } catch (e) {
      this.deps.log.warn({ accountId, err: (e as Error).message }, 'scheduled test not claimed');
      return false;
    }
    this.handled.set(accountId, at);
    if (!claimed || this.stopped) return false;
    const rec = await this.run(accountId, s);
    if (rec) this.deps.log.info({ accountId, ok: rec.ok, status: rec.status, latencyMs: rec.latencyMs, model: rec.model }, 'scheduled test ran');
    return rec !== null;
  }

  /** One test; a failure before the request (credentials unreadable, token refresh refused) is recorded as a failed run. */
  private async run(accountId: string, s: TestSchedule): Promise<TestRecord | null> {
    try {
      if (!this.deps.tester.defaultModel(accountId) && !(await this.deps.store.accounts.get(accountId))) {
        // The account was deleted: its schedule goes too.
        await this.deps.schedules.remove(accountId);
        return null;
      }
      return await this.deps.tester.run(accountId, { model: s.model, trigger: 'scheduled', signal: this.abort.signal });
    } catch (e) {
      const message = scrubSecrets(isRelayError(e) ? e.message : (e as Error).message, []);
      try {
        return await this.deps.history.recordTest(accountId, {
          ok: false,
          status: 0,
          latencyMs: 0,
          model: s.model,
          text: null,
          error: message,
          trigger: 'scheduled',
        });
      } catch (e2) {
        this.deps.log.warn({ accountId, err: (e2 as Error).message }, 'scheduled test not recorded');
        return null;
      }
    }
  }
}
