// zod schemas of the group routes.
import { z } from 'zod';

export const groupSchema = z.strictObject({ name: z.string().trim().min(1).max(100), description: z.string().max(500).optional() });
export const groupPatchSchema = groupSchema.partial();
export const membersSchema = z.strictObject({
  add: z.array(z.string().min(1)).max(1000).optional(),
  remove: z.array(z.string().min(1)).max(1000).optional(),
});
