// zod schemas of the group routes.
import { z } from 'zod';
import { isoTime } from '../answers.js';

export const groupSchema = z.strictObject({ name: z.string().trim().min(1).max(100), description: z.string().max(500).optional() });
export const groupPatchSchema = groupSchema.partial();
export const membersSchema = z.strictObject({
  add: z.array(z.string().min(1)).max(1000).optional(),
  remove: z.array(z.string().min(1)).max(1000).optional(),
});

/** A group as the admin API shows it, with the ids of its member accounts. */
export const groupView = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  createdAt: isoTime,
  updatedAt: isoTime,
  members: z.array(z.string()),
});
export const groupList = z.object({ items: z.array(groupView), total: z.number() });
export const membersView = z.object({ id: z.string(), members: z.array(z.string()) });
