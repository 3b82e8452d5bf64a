// /admin/usage: token and cost totals by hour, day or month in the reporting time zone.
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../core/clock.js';
import type { Granularity } from '../../core/usage-event.js';
import { queryUsageReport } from '../../accounting/usage-report.js';
import type { Store } from '../../store/types.js';
import { usageQuerySchema } from './schemas.js';
import { parseInput } from './validate.js';

export function usageRoutes(app: FastifyInstance, deps: { store: Store; clock: Clock; timezoneOffsetHours: number }): void {
  app.get('/usage', async (request) => {
    const q = parseInput(usageQuerySchema, request.query);
    return queryUsageReport(deps.store, { ...q, granularity: q.granularity as Granularity }, deps.clock.now(), deps.timezoneOffsetHours);
  });
}
