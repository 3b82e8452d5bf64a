// Alerts: an event is raised (fire-and-forget, never on the request path), sent once across instances and at most
// once per de-duplication window (a store set-if-absent key; an in-process one for events about the store
// itself), rendered for each channel that takes it, delivered with retries, and recorded in the history.
import type { Clock } from '../../core/clock.js';
import { newId } from '../../core/ids.js';
import type { Logger } from '../../platform/logger.js';
import type { Store } from '../../store/types.js';
import type { SettingsService } from '../../admin/settings.js';
import type { AlertChannels } from './channels.js';
import { deliver, type DeliveryOptions, type FetchLike } from './delivery.js';
import type { AlertHistory } from './history.js';
import { render, type AlertInput } from './messages.js';
import type { AlertEvent, Delivery, HistoryEntry, StoredChannel } from './types.js';

export interface AlertServiceDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  settings: SettingsService;
  channels: AlertChannels;
  history: AlertHistory;
  fetch: FetchLike;
  version: string;
  /** Names this relay process in the alerts (several share one store). */
  instance: string;
  timezoneOffsetHours: number;
  /** Retry tuning (tests shorten the backoff). */
  delivery?: Omit<DeliveryOptions, 'fetch' | 'clock'>;
}

/** How an event is kept from repeating: its identity and for how long. */
export interface Dedupe {
  key: string;
  /** Default: the Settings window (at least 10 s, which also merges one event seen by two instances). */
  ttlMs?: number;
  /** Decided in this process only (events about the store, which cannot take a store lock). */
  local?: boolean;
}

/** Events in progress at most; beyond it new ones are dropped with a warning (a storm must not eat memory). */
const MAX_IN_FLIGHT = 200;

export class AlertService {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly localOnce = new Map<string, number>();

  constructor(private readonly deps: AlertServiceDeps) {}

  /** Loads the channel list once, so that an outage of the store finds them in memory. */
  async start(): Promise<void> {
    await this.deps.channels.list().catch(() => undefined);
  }

  /** Raises an event; returns at once (delivery runs in the background). */
  emit(input: AlertInput, dedupe: Dedupe): void {
    if (this.inFlight.size >= MAX_IN_FLIGHT) {
      this.deps.log.warn({ event: input.type }, 'alert dropped: too many in progress');
      return;
    }
    this.track(this.raise(input, dedupe).catch((e: unknown) => this.deps.log.error({ event: input.type, err: (e as Error).message }, 'alert failed')));
  }

  /** Sends a test event to one channel now (one try) and returns how it went; recorded in the history too. */
  async test(channelId: string): Promise<Delivery> {
    const ch = await this.deps.channels.get(channelId);
    const event = this.event({ type: 'test', channelName: ch.name });
    const entry: HistoryEntry = { event, deliveries: [], note: null };
    entry.deliveries = [await this.send(ch, event, 0)];
    await this.deps.history.put(entry);
    return entry.deliveries[0];
  }

  history(limit: number): Promise<HistoryEntry[]> {
    return this.deps.history.list(limit);
  }

  /** Waits for deliveries in progress (shutdown, tests). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private async raise(input: AlertInput, dedupe: Dedupe): Promise<void> {
    const n = this.deps.settings.get('notifications');
    const ttl = dedupe.ttlMs ?? Math.max(10_000, n.dedupeMinutes * 60_000);
    if (!(await this.once(dedupe.key, ttl, dedupe.local === true))) return;
    const event = this.event(input);
    const entry: HistoryEntry = { event, deliveries: [], note: null };
    if (!n.enabled) {
      entry.note = 'notifications are off';
      return this.deps.history.put(entry);
    }
    const channels = (await this.deps.channels.list()).filter((c) => c.enabled && (c.events.length === 0 || c.events.includes(event.type)));
    if (channels.length === 0) {
      entry.note = 'no channel takes this event';
      return this.deps.history.put(entry);
    }
    entry.deliveries = channels.map((c) => ({
      channelId: c.id,
      channelName: c.name,
      type: c.type,
      status: 'pending',
      attempts: 0,
      httpStatus: 0,
      error: null,
      at: this.deps.clock.now(),
    }));
    await this.deps.history.put(entry);
    await Promise.all(
      channels.map(async (c, i) => {
        entry.deliveries[i] = await this.send(c, event, this.deps.delivery?.retries ?? 3);
      }),
    );
    await this.deps.history.put(entry);
  }

  private async send(c: StoredChannel, event: AlertEvent, retries: number): Promise<Delivery> {
    const base = { channelId: c.id, channelName: c.name, type: c.type };
    let ch;
    try {
      ch = this.deps.channels.resolve(c);
    } catch {
      return {
        ...base,
        status: 'failed',
        attempts: 0,
        httpStatus: 0,
        error: 'channel secrets cannot be opened (ENCRYPTION_KEY changed?)',
        at: this.deps.clock.now(),
      };
    }
    const ctx = { offsetHours: this.deps.timezoneOffsetHours, version: this.deps.version };
    const out = await deliver(ch, event, ctx, { ...this.deps.delivery, retries, fetch: this.deps.fetch, clock: this.deps.clock });
    if (!out.ok) this.deps.log.warn({ event: event.type, channelId: c.id, type: c.type, attempts: out.attempts, err: out.error }, 'alert not delivered');
    return { ...base, status: out.ok ? 'sent' : 'failed', attempts: out.attempts, httpStatus: out.httpStatus, error: out.error, at: this.deps.clock.now() };
  }

  private event(input: AlertInput): AlertEvent {
    const n = this.deps.settings.get('notifications');
    const r = render(input, n.language, this.deps.timezoneOffsetHours);
    return { id: newId(), type: input.type, at: this.deps.clock.now(), instance: this.deps.instance, ...r };
  }

  /** True the first time `key` is seen within `ttlMs` across instances (or in this process, when local). */
  private async once(key: string, ttlMs: number, local: boolean): Promise<boolean> {
    if (!local) {
      try {
        return await this.deps.store.kv.setIfAbsent(`alertonce:${key}`, this.deps.instance, ttlMs);
      } catch {
        // The store does not answer: decide here (another instance may send the same event).
      }
    }
    const now = this.deps.clock.now();
    for (const [k, until] of this.localOnce) if (until <= now) this.localOnce.delete(k);
    if (this.localOnce.has(key)) return false;
    this.localOnce.set(key, now + ttlMs);
    return true;
  }
}
