// /admin/usage: token and cost totals by hour, day or month in the reporting time zone.
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../core/clock.js';
import type { Granularity } from '../../core/usage-event.js';
import type { UsageQueries } from '../../accounting/usage-queries.js';
import { usageQuerySchema } from './schemas.js';
import { parseInput } from './validate.js';

export function usageRoutes(app: FastifyInstance, deps: { usage: UsageQueries; clock: Clock }): void {
  app.get('/usage', async (request) => {
    const q = parseInput(usageQuerySchema, request.query);
    return deps.usage.report({ ...q, granularity: q.granularity as Granularity }, deps.clock.now());
  });
}
