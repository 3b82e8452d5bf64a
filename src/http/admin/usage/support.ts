// Helpers the analytics endpoints share: resolving a time range to bucket labels, naming keys and accounts,
// and stating the reporting time zone the same way everywhere.
import { RelayError } from '../../../core/errors.js';
import { bucketLabel } from '../../../core/time-buckets.js';
import type { Granularity, UsageRow } from '../../../core/usage-event.js';
import type { Dimension } from '../../../accounting/usage-analytics.js';
import type { UsageQueries } from '../../../accounting/usage-queries.js';
import type { AccountService } from '../../../accounts/accounts.js';
import type { ApiKeyService } from '../../../keys/api-keys.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MAX_BUCKETS: Record<Granularity, number> = { hour: 24 * 93, day: 3660, month: 600 };

/** `UTC+08:00` for 8, `UTC-03:30` for -3.5. */
export function tzLabel(offsetHours: number): string {
  const sign = offsetHours < 0 ? '-' : '+';
  const abs = Math.abs(offsetHours);
  const h = Math.floor(abs);
  const m = Math.round((abs - h) * 60);
  return `UTC${sign}${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

export interface ResolvedRange {
  from: number;
  to: number;
  granularity: Granularity;
  fromBucket: string;
  toBucket: string;
}

/** The granularity that reads the fewest rows for a range while staying exact at its edges. */
export function storeGranularity(from: number, to: number): Granularity {
  const span = to - from;
  if (span <= 72 * HOUR) return 'hour';
  if (span <= 400 * DAY) return 'day';
  return 'month';
}

export function resolveRange(
  q: { from?: number; to?: number },
  now: number,
  offsetHours: number,
  granularity?: Granularity,
  defaultSpanMs = DAY,
): ResolvedRange {
  const to = q.to ?? now;
  const from = q.from ?? to - defaultSpanMs;
  if (from > to) throw new RelayError('VALIDATION_FAILED', 'from must not be after to', { details: [{ path: 'from', message: 'must not be after to' }] });
  const g = granularity ?? storeGranularity(from, to);
  const approx = g === 'hour' ? HOUR : g === 'day' ? DAY : 28 * DAY;
  if ((to - from) / approx > MAX_BUCKETS[g]) {
    throw new RelayError('VALIDATION_FAILED', `The range is too long for ${g} buckets; use a coarser granularity`, {
      details: [{ path: 'granularity', message: 'too fine for this range' }],
    });
  }
  return { from, to, granularity: g, fromBucket: bucketLabel(from, g, offsetHours), toBucket: bucketLabel(to, g, offsetHours) };
}

export function readRows(usage: UsageQueries, r: ResolvedRange, f: { keyId?: string; accountId?: string; model?: string }): Promise<UsageRow[]> {
  return usage.rows({ granularity: r.granularity, fromBucket: r.fromBucket, toBucket: r.toBucket, keyId: f.keyId, accountId: f.accountId, model: f.model });
}

/** Names of keys and accounts, read once per call site (the lists are bounded by what an operator created). */
export async function nameResolver(deps: { keys: ApiKeyService; accounts: AccountService }): Promise<(d: Dimension, id: string) => string> {
  const [keys, accounts] = await Promise.all([deps.keys.list({ includeDeleted: true }), deps.accounts.list()]);
  const keyNames = new Map(keys.items.map((k) => [k.id, k.name]));
  const accountNames = new Map(accounts.map((a) => [a.id, a.name]));
  return (d, id) => {
    if (d === 'model') return id;
    if (d === 'key') return keyNames.get(id) ?? `(deleted key ${id.slice(0, 8)})`;
    if (id === '') return '(no account)';
    return accountNames.get(id) ?? `(deleted account ${id.slice(0, 8)})`;
  };
}
