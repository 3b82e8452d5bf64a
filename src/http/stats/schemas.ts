// zod schemas of the key-holder API (/stats/api).
import { z } from 'zod';
import { timeInput } from '../admin/inputs.js';

export const statsSessionSchema = z.strictObject({
  key: z.string().min(1).max(512),
});

export const statsUsageQuerySchema = z.object({
  from: timeInput.optional(),
  to: timeInput.optional(),
  granularity: z.enum(['hour', 'day', 'month']).default('day'),
});

export const statsRequestsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(50).default(50),
});
