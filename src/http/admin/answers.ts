// Pieces of the admin API's answers that several resources share, as zod schemas: a route declares its answer with
// them (RouteSpec.response), the OpenAPI document carries it, and the web admin's types are generated from that.
import { z } from 'zod';

/** An ISO 8601 UTC time. */
export const isoTime = z.string();

/** The usage block: token split, requests, errors and integer micro-USD. */
export const usageBlock = z.object({
  requests: z.number(),
  errors: z.number(),
  input: z.number(),
  output: z.number(),
  cacheWrite5m: z.number(),
  cacheWrite1h: z.number(),
  cacheRead: z.number(),
  totalTokens: z.number(),
  costMicros: z.number(),
});

/** A page of a list: `{ items, total, page, pageSize }`. */
export const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), total: z.number(), page: z.number(), pageSize: z.number() });

/** `{ ok: true }`, the answer of an action with nothing else to say. */
export const okAnswer = z.object({ ok: z.literal(true) });

/** A health reason of an account as the admin API shows it (times as ISO). */
export const healthReasonView = z.object({
  code: z.string(),
  message: z.string(),
  source: z.enum(['upstream', 'probe', 'operator']),
  httpStatus: z.number().optional(),
  since: isoTime,
  until: isoTime.nullable(),
  modelFamily: z.string().optional(),
  requestId: z.string().optional(),
});

/** A subscription usage window (5h, 7d …) as last observed. */
export const usageWindowView = z.object({
  id: z.enum(['5h', '7d', '7d_opus', '7d_sonnet']),
  utilization: z.number(),
  resetsAt: isoTime.nullable(),
  status: z.enum(['allowed', 'warning', 'rejected']),
  observedAt: isoTime,
});
