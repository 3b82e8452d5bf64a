// Input pieces shared by the admin schemas of several resources.
import { z } from 'zod';

/** ISO 8601 or epoch milliseconds → epoch ms. */
export const timeInput = z.union([
  z.number().int().nonnegative(),
  z
    .string()
    .trim()
    .min(1)
    .transform((s, ctx) => {
      const t = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
      if (!Number.isFinite(t)) {
        ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 time or epoch milliseconds' });
        return z.NEVER;
      }
      return t;
    }),
]);

export const name = z.string().trim().min(1, 'is required').max(100);
export const description = z.string().max(500);
