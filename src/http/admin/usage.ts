// /admin/usage: token and cost totals by hour, day or month in the reporting time zone.
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../core/clock.js';
import { RelayError } from '../../core/errors.js';
import { bucketLabel } from '../../core/time-buckets.js';
import type { Granularity } from '../../core/usage-event.js';
import { buildUsageReport } from '../../accounting/usage-report.js';
import type { Store } from '../../store/types.js';
import { usageQuerySchema } from './schemas.js';
import { parseInput } from './validate.js';

const DAY = 86_400_000;
/** Default look-back per granularity, and the most buckets one query may span. */
const DEFAULT_SPAN: Record<Granularity, number> = { hour: DAY, day: 30 * DAY, month: 365 * DAY };
const MAX_BUCKETS = 5000;

export function usageRoutes(app: FastifyInstance, deps: { store: Store; clock: Clock; timezoneOffsetHours: number }): void {
  app.get('/usage', async (request) => {
    const q = parseInput(usageQuerySchema, request.query);
    const g = q.granularity as Granularity;
    const to = q.to ?? deps.clock.now();
    const from = q.from ?? to - DEFAULT_SPAN[g];
    if (from > to) throw new RelayError('VALIDATION_FAILED', 'from must not be after to', { details: [{ path: 'from', message: 'must not be after to' }] });
    const span = (to - from) / (g === 'hour' ? 3_600_000 : g === 'day' ? DAY : 28 * DAY);
    if (span > MAX_BUCKETS) throw new RelayError('VALIDATION_FAILED', `The range spans more than ${MAX_BUCKETS} ${g} buckets; use a coarser granularity`);
    const tz = deps.timezoneOffsetHours;
    const fromBucket = bucketLabel(from, g, tz);
    const toBucket = bucketLabel(to, g, tz);
    const rows = await deps.store.usage.query({ granularity: g, fromBucket, toBucket, keyId: q.keyId, accountId: q.accountId, model: q.model });
    return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), filters: { keyId: q.keyId ?? null, accountId: q.accountId ?? null, model: q.model ?? null }, ...buildUsageReport(rows, { granularity: g, fromBucket, toBucket, timezoneOffsetHours: tz }) };
  });
}
