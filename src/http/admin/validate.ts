// zod at the admin boundary: a failed parse is a 400 listing every field problem.
import type { z } from 'zod';
import { RelayError } from '../../core/errors.js';

export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  throw new RelayError('VALIDATION_FAILED', 'Validation failed: ' + r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '), {
    details: r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  });
}
