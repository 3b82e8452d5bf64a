// The alert history: the last events with each channel's delivery status, one kv entry per event
// (`alerthist:<time>:<id>`, expiring after 30 days, the oldest pruned beyond `max`). An entry that cannot be written
// (the store is down: the very event may say so) stays in memory and is written when the store is back.
import type { Logger } from '../../platform/logger.js';
import type { KvRepo } from '../../store/types.js';
import type { HistoryEntry } from './types.js';

const PREFIX = 'alerthist:';
const TTL_MS = 30 * 86_400_000;

const keyOf = (e: HistoryEntry) => `${PREFIX}${String(e.event.at).padStart(15, '0')}:${e.event.id}`;

export class AlertHistory {
  private readonly unsaved = new Map<string, HistoryEntry>();
  private writes = 0;

  constructor(
    private readonly kv: KvRepo,
    private readonly log: Logger,
    private readonly max = 200,
  ) {}

  /** Writes (or rewrites) an entry. Never throws. */
  async put(entry: HistoryEntry): Promise<void> {
    const key = keyOf(entry);
    try {
      await this.kv.set(key, JSON.stringify(entry), TTL_MS);
      this.unsaved.delete(key);
      if (++this.writes % 20 === 0) await this.prune();
    } catch (e) {
      this.unsaved.set(key, entry);
      this.log.warn({ event: entry.event.type, err: (e as Error).message }, 'alert history not written');
    }
  }

  /** Newest first; entries still waiting to be written included. */
  async list(limit: number): Promise<HistoryEntry[]> {
    const stored = await this.kv.scan(PREFIX);
    const byKey = new Map<string, HistoryEntry>();
    for (const { key, value } of stored) {
      try {
        byKey.set(key, JSON.parse(value) as HistoryEntry);
      } catch {
        // a damaged entry is skipped
      }
    }
    for (const [key, e] of this.unsaved) byKey.set(key, e);
    return [...byKey.entries()]
      .sort((a, b) => (a[0] < b[0] ? 1 : -1))
      .slice(0, limit)
      .map(([, e]) => e);
  }

  /** Writes what could not be written before (called when the store answers again). */
  async flush(): Promise<void> {
    for (const e of [...this.unsaved.values()]) await this.put(e);
  }

  private async prune(): Promise<void> {
    const all = await this.kv.scan(PREFIX);
    if (all.length <= this.max) return;
    const old = all
      .map((x) => x.key)
      .sort()
      .slice(0, all.length - this.max);
    for (const k of old) await this.kv.delete(k);
  }
}
